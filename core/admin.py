from datetime import date

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from core.models import (
    CalendarDay,
    CalendarGap,
    Department,
    HealthCheck,
    ImportJob,
    User,
    WorkPeriod,
    WorkSchedule,
)

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
    list_display = ["checked_at", "healthy", "database_ok", "redis_ok", "celery_ok"]
    list_filter = ["healthy"]
    date_hierarchy = "checked_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Import jobs, read-only: the worker alone moves them on; the job page shows progress and the report."""

    list_display = ["created_at", "kind", "filename", "created_by", "status", "rows_done", "rows_total", "finished_at"]
    list_filter = ["status", "kind"]
    search_fields = ["filename", "created_by__username"]
    date_hierarchy = "created_at"
    list_select_related = ["created_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
