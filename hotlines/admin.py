"""Admin for work orders, their reference tables and the other intake channels.

Orders and the other channels' records change only through their services (hotlines.services,
hotlines.channels.services), which write the history: here they are read-only, and a record with a history cannot be
deleted (an order's events are PROTECTed; a channel record's history is named in the refusal below)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from core.admin_labels import labelled_column, labelled_filter
from hotlines.channels.services import RECORD_KINDS
from hotlines.models import (
    CHANNEL_ACTION_LABELS,
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


class _ReadOnlyAdmin:
    """Records written by a service only: viewable, never added or changed here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class _KeepsChannelHistory:
    """Refuses to delete a channel record that has a history, listing its events as protected (the admin's own
    "cannot delete" page): the history rows name the record by kind and id, with no foreign key to protect them."""

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        for obj in objs:
            kind = RECORD_KINDS.get(type(obj))
            if kind is not None:
                protected.extend(str(e) for e in ChannelEvent.objects.filter(record_kind=kind, record_id=obj.pk))
        return to_delete, model_count, perms_needed, protected


@admin.register(WorkOrder)
class WorkOrderAdmin(_ReadOnlyAdmin, LeafletGeoAdmin):
    list_display = ["external_no", "hotline", "order_type", "status", "department", "received_at", "deadline"]
    list_filter = ["hotline", "status", "order_type", "satisfaction"]
    search_fields = ["external_no", "content", "address"]
    date_hierarchy = "received_at"
    raw_id_fields = ["case", "received_by"]
    inlines = [WorkOrderEventInline]
    # Everything, not only the status: department, deadline, reply and satisfaction are workflow facts too, and an
    # edit here would leave the timeline disagreeing with the order. Its events PROTECT it from deletion.


@admin.register(OnlineOpinion)
class OnlineOpinionAdmin(_ReadOnlyAdmin, _KeepsChannelHistory, admin.ModelAdmin):
    list_display = ["external_no", "channel", "title", "submitted_at", "replied_at", "case"]
    list_filter = ["channel"]
    search_fields = ["external_no", "title", "content"]
    raw_id_fields = ["case"]


class InspectionProblemInline(_ReadOnlyAdmin, admin.TabularInline):
    model = InspectionProblem
    extra = 0
    can_delete = False
    fields = ["description", "address", "case"]
    raw_id_fields = ["case"]


class RectificationInline(_ReadOnlyAdmin, admin.TabularInline):
    model = RectificationAction
    extra = 0
    can_delete = False
    filter_horizontal = ["departments"]


@admin.register(Inspection)
class InspectionAdmin(_ReadOnlyAdmin, _KeepsChannelHistory, admin.ModelAdmin):
    list_display = ["date", "inspector", "level", "route"]
    list_filter = ["level"]
    inlines = [InspectionProblemInline, RectificationInline]


@admin.register(InspectionProblem)
class InspectionProblemAdmin(_ReadOnlyAdmin, LeafletGeoAdmin):
    list_display = ["inspection", "description", "address", "case"]
    raw_id_fields = ["case"]


@admin.register(RectificationAction)
class RectificationActionAdmin(_ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["title", "inspection", "date"]
    filter_horizontal = ["departments"]


@admin.register(ChatGroupReport)
class ChatGroupReportAdmin(_ReadOnlyAdmin, _KeepsChannelHistory, LeafletGeoAdmin):
    list_display = ["group", "reporter_handle", "message_at", "case"]
    list_filter = ["group"]
    raw_id_fields = ["case"]


@admin.register(Camera)
class CameraAdmin(_KeepsChannelHistory, LeafletGeoAdmin):
    """Cameras are equipment the administrator maintains; one with a history is kept (deactivate it instead)."""

    list_display = ["code", "name", "watches", "address", "is_active"]
    list_filter = ["watches", "is_active"]
    search_fields = ["code", "name", "address"]


@admin.register(VideoCase)
class VideoCaseAdmin(_ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["camera", "case", "captured_at"]
    raw_id_fields = ["case"]


# The record kinds of the channel history under their records' names.
RECORD_KIND_LABELS = {kind: model._meta.verbose_name for model, kind in RECORD_KINDS.items()}


@admin.register(ChannelEvent)
class ChannelEventAdmin(admin.ModelAdmin):
    """The other channels' history: read only (rows are written by hotlines.channels.services)."""

    list_display = ["at", "record_kind_label", "record_id", "action_label", "actor"]
    list_filter = [
        labelled_filter("record_kind", _("record kind"), RECORD_KIND_LABELS),
        labelled_filter("action", _("action"), CHANNEL_ACTION_LABELS),
    ]
    record_kind_label = labelled_column("record_kind", _("record kind"), RECORD_KIND_LABELS)
    action_label = labelled_column("action", _("action"), CHANNEL_ACTION_LABELS)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
