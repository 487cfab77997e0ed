"""Admin of supervision: collectors' profiles and the assessment template are edited here; inspection records,
trainings and assessments are read here and changed only through the console (``services``), which records who."""

from django.contrib import admin

from evaluation.supervision.models import (
    Assessment,
    AssessmentItem,
    CollectorProfile,
    InspectionRecord,
    Training,
    TrainingAttendance,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CollectorProfile)
class CollectorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "home", "started_on"]
    list_filter = ["home"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]


@admin.register(AssessmentItem)
class AssessmentItemAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "source", "weight", "target", "lower_is_better", "order", "is_active"]
    list_editable = ["weight", "target", "order", "is_active"]


@admin.register(InspectionRecord)
class InspectionRecordAdmin(ReadOnlyAdmin):
    list_display = ["inspected_on", "team", "collector", "kind", "grid_code", "deduction", "reverses"]
    list_filter = ["kind", "team"]
    date_hierarchy = "inspected_on"


class AttendanceInline(admin.TabularInline):
    model = TrainingAttendance
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Training)
class TrainingAdmin(ReadOnlyAdmin):
    list_display = ["held_on", "topic", "trainer"]
    inlines = [AttendanceInline]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["month", "company", "status", "score"]
