"""Admin: Open311 client apps and their API keys (shown once, when issued), citizens' reports (read only)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from exchange.models import ApiClient, PublicReport
from exchange.networking import admin as networking_admin  # noqa: F401  (registers its admin classes)


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "key_hint", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "contact"]
    readonly_fields = ["key_hint", "created_at", "last_used_at"]
    actions = ["reissue_keys"]

    def save_model(self, request, obj, form, change) -> None:
        raw = None if change else obj.issue_key()
        super().save_model(request, obj, form, change)
        if raw:
            self._show_key(request, obj, raw)

    def _show_key(self, request, obj, raw: str) -> None:
        messages.warning(
            request,
            _("API key of %(client)s: %(key)s — copy it now, it is not shown again.") % {"client": obj, "key": raw},
        )

    @admin.action(description=_("Issue a new API key (the old one stops working)"))
    def reissue_keys(self, request, queryset) -> None:
        for client in queryset:
            raw = client.issue_key()
            client.save(update_fields=["key_digest", "key_hint"])
            self._show_key(request, client, raw)


@admin.register(PublicReport)
class PublicReportAdmin(admin.ModelAdmin):
    """Read only: a citizen's report changes only through the case workflow."""

    list_display = ["case", "channel", "api_client", "created_at"]
    list_filter = ["channel"]
    search_fields = ["case__case_no"]
    fields = ["case", "channel", "api_client", "choice", "phone", "contact", "attributes", "media_url", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
