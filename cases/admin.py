"""Admin of the case layer. Cases are read-only here: their status changes only through ``cases.services`` (the
console and the API), so the timeline can never disagree with the case. Stage limits and dispatch rules are the
reference data an administrator edits."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cases.choices import TrafficLight
from cases.deadlines import traffic_light
from cases.models import Case, CaseEvent, CasePhoto, CaseRequest, DispatchRule, StageLimit, StreetOffice


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class CaseEventInline(_ReadOnlyInline):
    model = CaseEvent
    fields = ["at", "action", "actor", "role", "from_status", "to_status", "opinion", "data"]
    readonly_fields = fields
    ordering = ["at", "id"]


class CaseRequestInline(_ReadOnlyInline):
    model = CaseRequest
    fk_name = "case"
    fields = ["kind", "status", "requested_by", "requested_at", "reason", "extension_value", "extension_unit"]
    readonly_fields = [*fields, "decided_by", "decided_at", "decision_opinion"]


class CasePhotoInline(_ReadOnlyInline):
    model = CasePhoto
    fields = ["kind", "image", "taken_at", "event"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "case_no",
        "status",
        "minor_class",
        "department",
        "received_at",
        "stage_deadline",
        "is_overdue",
        "light",
    ]
    list_filter = ["status", "source", "is_overdue", "is_urged", "kind", "department"]
    search_fields = ["case_no", "address", "description", "grid_code"]
    date_hierarchy = "received_at"
    list_select_related = ["minor_class", "department"]
    inlines = [CaseEventInline, CaseRequestInline, CasePhotoInline]
    show_full_result_count = False  # a count over millions of cases is not worth its time on every page

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Case._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    # Deleting stays possible in principle, but a case's events PROTECT it: the admin answers with its
    # "cannot delete, these related objects are protected" page, and the history stays whole.

    @admin.display(description=_("traffic light"))
    def light(self, obj: Case) -> str:
        value = traffic_light(obj)
        return "" if value is None else TrafficLight(value).label


@admin.register(StageLimit)
class StageLimitAdmin(admin.ModelAdmin):
    list_display = ["stage", "value", "unit"]
    list_editable = ["value", "unit"]


@admin.register(DispatchRule)
class DispatchRuleAdmin(admin.ModelAdmin):
    list_display = ["priority", "kind", "minor_class", "region_code", "department", "is_active", "note"]
    list_editable = ["is_active"]
    list_display_links = ["priority", "kind"]
    list_filter = ["kind", "is_active"]
    raw_id_fields = ["minor_class"]
    autocomplete_fields = ["department"]


@admin.register(StreetOffice)
class StreetOfficeAdmin(admin.ModelAdmin):
    list_display = ["street_code", "department"]
    search_fields = ["street_code", "department__name"]
    autocomplete_fields = ["department"]
