"""Admin for work orders (read-mostly: states change only through the services), their reference tables and the
other intake channels."""

from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from hotlines.models import (
    Camera,
    ChannelEvent,
    ChatGroupReport,
    Hotline,
    Inspection,
    InspectionProblem,
    OnlineOpinion,
    OrderTimeLimit,
    RectificationAction,
    VideoCase,
    WorkOrder,
    WorkOrderEvent,
)


@admin.register(Hotline)
class HotlineAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "case_source", "send_back_limit_days", "is_active"]


@admin.register(OrderTimeLimit)
class OrderTimeLimitAdmin(admin.ModelAdmin):
    list_display = ["order_type", "working_days"]


class WorkOrderEventInline(admin.TabularInline):
    model = WorkOrderEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "actor", "role", "from_status", "to_status", "opinion"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(LeafletGeoAdmin):
    list_display = ["external_no", "hotline", "order_type", "status", "department", "received_at", "deadline"]
    list_filter = ["hotline", "status", "order_type", "satisfaction"]
    search_fields = ["external_no", "content", "address"]
    date_hierarchy = "received_at"
    raw_id_fields = ["case", "received_by"]
    inlines = [WorkOrderEventInline]
    # The status and its milestones change only through hotlines.services.
    readonly_fields = [
        "status",
        "transferred_at",
        "signed_at",
        "handled_at",
        "replied_at",
        "visited_at",
        "completed_at",
        "completed_on_time",
        "redo_count",
        "send_back_count",
        "extension_count",
        "extension_requested_days",
        "extension_request_reason",
        "urge_count",
        "updated_at",
    ]


@admin.register(OnlineOpinion)
class OnlineOpinionAdmin(admin.ModelAdmin):
    list_display = ["external_no", "channel", "title", "submitted_at", "replied_at", "case"]
    list_filter = ["channel"]
    search_fields = ["external_no", "title", "content"]
    raw_id_fields = ["case"]


class InspectionProblemInline(admin.TabularInline):
    model = InspectionProblem
    extra = 0
    fields = ["description", "address", "case"]
    raw_id_fields = ["case"]


class RectificationInline(admin.TabularInline):
    model = RectificationAction
    extra = 0
    filter_horizontal = ["departments"]


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["date", "inspector", "level", "route"]
    list_filter = ["level"]
    inlines = [InspectionProblemInline, RectificationInline]


@admin.register(InspectionProblem)
class InspectionProblemAdmin(LeafletGeoAdmin):
    list_display = ["inspection", "description", "address", "case"]
    raw_id_fields = ["case"]


@admin.register(RectificationAction)
class RectificationActionAdmin(admin.ModelAdmin):
    list_display = ["title", "inspection", "date"]
    filter_horizontal = ["departments"]


@admin.register(ChatGroupReport)
class ChatGroupReportAdmin(LeafletGeoAdmin):
    list_display = ["group", "reporter_handle", "message_at", "case"]
    list_filter = ["group"]
    raw_id_fields = ["case"]


@admin.register(Camera)
class CameraAdmin(LeafletGeoAdmin):
    list_display = ["code", "name", "watches", "address", "is_active"]
    list_filter = ["watches", "is_active"]
    search_fields = ["code", "name", "address"]


@admin.register(VideoCase)
class VideoCaseAdmin(admin.ModelAdmin):
    list_display = ["camera", "case", "captured_at"]
    raw_id_fields = ["case"]


@admin.register(ChannelEvent)
class ChannelEventAdmin(admin.ModelAdmin):
    """The other channels' history: read only (rows are written by hotlines.channel_services)."""

    list_display = ["at", "record_kind", "record_id", "action", "actor"]
    list_filter = ["record_kind", "action"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
