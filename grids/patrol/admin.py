"""Admin of shifts (editable) and presence alerts (read only: they are what the presence check found)."""

from __future__ import annotations

from django.contrib import admin

from grids.patrol.models import PatrolAlert, PatrolShift


@admin.register(PatrolShift)
class PatrolShiftAdmin(admin.ModelAdmin):
    list_display = ["name", "starts", "ends", "is_active"]
    list_editable = ["is_active"]


@admin.register(PatrolAlert)
class PatrolAlertAdmin(admin.ModelAdmin):
    list_display = ["collector", "kind", "started_at", "found_at", "ended_at"]
    list_filter = ["kind", "ended_at"]
    date_hierarchy = "found_at"
    list_select_related = ["collector"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
