from datetime import date

from axes import admin as axes_admin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin_labels import labelled_column, labelled_filter
from core.exports import KIND_LABELS as EXPORT_KIND_LABELS
from core.imports import KIND_LABELS
from core.models import (
    ApiToken,
    AuditEntry,
    CalendarDay,
    CalendarGap,
    Department,
    ExportJob,
    HealthCheck,
    ImportJob,
    OutboxMessage,
    User,
    WorkPeriod,
    WorkSchedule,
)
from core.tokens import RevokeReason, revoke

admin.site.site_header = _("City-management command centre")
admin.site.site_title = _("City-management command centre")
admin.site.index_title = _("Administration")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "credit_code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "credit_code"]
    autocomplete_fields = ["parent"]


@admin.register(User)
class CityUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "role", "department", "is_active"]
    list_filter = ["role", "department", "is_active"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (_("Command centre"), {"fields": ["role", "department", "phone"]}),
    ]
    add_fieldsets = [
        *UserAdmin.add_fieldsets,
        (_("Command centre"), {"fields": ["role", "department"]}),
    ]


def _missing_years_notice(request) -> None:
    """Warn while the calendar lacks next year (or any year a deadline needed)."""
    years = set(CalendarGap.objects.values_list("year", flat=True))
    next_year = date.today().year + 1
    if not CalendarDay.objects.filter(date__year=next_year).exists():
        years.add(next_year)
    for year in sorted(y for y in years if not CalendarDay.objects.filter(date__year=y).exists()):
        messages.warning(
            request,
            _(
                "The working calendar has no days for %(year)s: deadlines there use Monday–Friday until the official "
                "holidays are entered."
            )
            % {"year": year},
        )


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "kind", "name", "note"]
    list_filter = ["is_workday", "kind"]
    date_hierarchy = "date"
    search_fields = ["name", "note"]

    def changelist_view(self, request, extra_context=None):
        _missing_years_notice(request)
        return super().changelist_view(request, extra_context)


@admin.register(CalendarGap)
class CalendarGapAdmin(admin.ModelAdmin):
    list_display = ["year", "first_seen", "last_seen"]


class WorkPeriodInline(admin.TabularInline):
    model = WorkPeriod
    extra = 1


@admin.register(WorkSchedule)
class WorkScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "valid_from", "round_the_clock"]
    inlines = [WorkPeriodInline]


@admin.register(HealthCheck)
class HealthCheckAdmin(admin.ModelAdmin):
    list_display = ["checked_at", "due_at", "healthy", "database_ok", "redis_ok", "celery_ok"]
    list_filter = ["healthy"]
    date_hierarchy = "checked_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by logging in (POST /api/v1/auth/token/); here they can only be seen and revoked."""

    list_display = ["user", "name", "prefix", "created", "expires", "last_used"]
    list_filter = ["expires"]
    search_fields = ["user__username", "name", "prefix"]
    readonly_fields = ["user", "name", "prefix", "created", "expires", "last_used"]
    actions = ["revoke_selected"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Revoke selected tokens"), permissions=["delete"])
    def revoke_selected(self, request, queryset) -> None:
        for token in queryset.select_related("user"):
            revoke(token, RevokeReason.ADMIN, request=request)
        self.message_user(request, _("Tokens revoked."), messages.SUCCESS)

    def delete_model(self, request, obj) -> None:
        revoke(obj, RevokeReason.ADMIN, request=request)


class _DeliveryFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [("pending", _("pending")), ("delivered", _("delivered"))]

    def queryset(self, request, queryset):
        if self.value() in {"pending", "delivered"}:
            return queryset.filter(delivered_at__isnull=self.value() == "pending")
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """The backlog of side effects: what is pending, how often it was tried, and its last error."""

    list_display = ["id", "handler", "created_at", "attempts", "due_at", "delivered_at"]
    list_filter = [_DeliveryFilter, "handler"]
    search_fields = ["handler", "last_error"]
    readonly_fields = ["handler", "payload", "created_at", "due_at", "attempts", "delivered_at", "last_error"]
    actions = ["deliver_now"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Deliver now"), permissions=["view"])
    def deliver_now(self, request, queryset):
        from core.outbox import deliver_all

        ids = list(queryset.filter(delivered_at__isnull=True).values_list("pk", flat=True))
        delivered = deliver_all(ids)
        message = _("%(count)d of %(total)d messages delivered.") % {"count": delivered, "total": len(ids)}
        self.message_user(request, message)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The security audit log, read only (the database refuses UPDATE and DELETE anyway)."""

    list_display = ["at", "actor_name", "role", "address", "action", "object_type", "object_text"]
    list_filter = ["action", "role"]
    search_fields = ["actor_name", "object_text", "object_id", "department"]
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Import jobs, read-only: the worker alone moves them on; the job page shows progress and the report."""

    list_display = [
        "created_at",
        "kind_label",
        "filename",
        "created_by",
        "status",
        "rows_done",
        "rows_total",
        "finished_at",
    ]
    list_filter = ["status", labelled_filter("kind", _("kind"), KIND_LABELS)]
    kind_label = labelled_column("kind", _("kind"), KIND_LABELS)
    search_fields = ["filename", "created_by__username"]
    date_hierarchy = "created_at"
    list_select_related = ["created_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Export jobs, read-only: the worker writes them, beat purges their files; only the requester downloads."""

    list_display = ["created_at", "kind_label", "created_by", "status", "rows_done", "rows_total", "expires_at"]
    list_filter = ["status", labelled_filter("kind", _("kind"), EXPORT_KIND_LABELS)]
    kind_label = labelled_column("kind", _("kind"), EXPORT_KIND_LABELS)
    search_fields = ["created_by__username"]
    date_hierarchy = "created_at"
    list_select_related = ["created_by"]
    exclude = ["file", "request_key"]  # the file is the requester's alone: no link to it here

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    """django-axes' lockout list, with its status column labelled (axes leaves it to the method's English name)."""

    @admin.display(description=_("status"))
    def status(self, obj):
        return super().status(obj)


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, AccessAttemptAdmin)
