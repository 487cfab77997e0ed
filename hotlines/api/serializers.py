"""Serializers of the hotline API (the 12345 platform's push and pull, the departments' systems)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import ClientDateTimeField
from grids.choices import Urgency
from hotlines.choices import OrderStatus, OrderType, Satisfaction
from hotlines.masking import shown_phone
from hotlines.models import WorkOrder, WorkOrderEvent
from hotlines.workflow import label_of


class WorkOrderPushSerializer(serializers.Serializer):
    """One order pushed by a hotline platform. ``hotlines.services.receive`` checks the fields (the same rules for
    the API, the Excel import and the entry form) and answers 400 naming every bad field."""

    hotline = serializers.CharField(max_length=20, help_text="Hotline code, e.g. 12345 or 12319.")
    external_no = serializers.CharField(
        max_length=50, help_text="The platform's order number; a repeat for the same hotline returns the same order."
    )
    received_at = ClientDateTimeField(required=False, help_text="When the call was received (default: now).")
    caller_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    caller_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    order_type = serializers.ChoiceField(
        choices=OrderType.choices, required=False, help_text="Also accepted: 咨询/求助/建议/投诉/举报/感谢/其他."
    )
    content = serializers.CharField(max_length=4000)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    lng = serializers.FloatField(required=False, allow_null=True, help_text="WGS84 longitude (optional).")
    lat = serializers.FloatField(required=False, allow_null=True, help_text="WGS84 latitude (optional).")
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)


class WorkOrderListSerializer(serializers.ModelSerializer):
    hotline = serializers.CharField(source="hotline.code")
    status_label = serializers.CharField(source="get_status_display")
    department_name = serializers.CharField(source="department.name", default=None, allow_null=True)
    caller_phone = serializers.SerializerMethodField(help_text="Masked (138****1234) unless the role may see it.")
    case_no = serializers.CharField(source="case.case_no", default=None, allow_null=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "hotline",
            "external_no",
            "received_at",
            "caller_name",
            "caller_phone",
            "order_type",
            "urgency",
            "address",
            "grid_code",
            "street_code",
            "status",
            "status_label",
            "department",
            "department_name",
            "deadline",
            "case",
            "case_no",
            "direct_answer",
            "reply_text",
            "replied_at",
            "satisfaction",
            "visited_at",
            "completed_at",
            "completed_on_time",
            "redo_count",
            "send_back_count",
            "extension_count",
            "is_urged",
            "updated_at",
        ]

    def get_caller_phone(self, order: WorkOrder) -> str:
        request = self.context.get("request")
        return shown_phone(order.caller_phone, getattr(request, "user", None))


class WorkOrderEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True)
    label = serializers.SerializerMethodField()

    class Meta:
        model = WorkOrderEvent
        fields = ["id", "action", "label", "actor", "role", "from_status", "to_status", "at", "opinion", "data"]

    def get_label(self, event: WorkOrderEvent) -> str:
        return label_of(event.action)


class WorkOrderDetailSerializer(WorkOrderListSerializer):
    location = serializers.SerializerMethodField()
    events = WorkOrderEventSerializer(many=True, read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta(WorkOrderListSerializer.Meta):
        fields = [
            *WorkOrderListSerializer.Meta.fields,
            "content",
            "location",
            "community_code",
            "transferred_at",
            "signed_at",
            "handled_at",
            "urge_count",
            "extension_requested_days",
            "extension_request_reason",
            "events",
            "available_actions",
        ]

    @extend_schema_field(
        {"type": "object", "nullable": True, "properties": {"lat": {"type": "number"}, "lng": {"type": "number"}}}
    )
    def get_location(self, order: WorkOrder) -> dict | None:
        return None if order.location is None else {"lat": order.location.y, "lng": order.location.x}

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_available_actions(self, order: WorkOrder) -> list[dict]:
        from hotlines.services import available_actions

        request = self.context.get("request")
        if request is None:
            return []
        return [{"action": t.action, "label": str(t.label)} for t in available_actions(order, request.user)]


class OrderActionSerializer(serializers.Serializer):
    """Parameters of a work-order action; each action reads the ones it needs."""

    opinion = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    reply = serializers.CharField(required=False, allow_blank=True, max_length=4000, help_text="answer_directly, reply")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="send_back, extend")
    department = serializers.IntegerField(required=False, help_text="transfer: id of the handling department")
    class_code = serializers.CharField(required=False, max_length=8, help_text="convert: minor class code")
    condition_id = serializers.IntegerField(required=False, help_text="convert: filing condition id (optional)")
    lng = serializers.FloatField(required=False, help_text="convert: longitude (default: the order's point)")
    lat = serializers.FloatField(required=False, help_text="convert: latitude (default: the order's point)")
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, required=False, help_text="visit")
    redo = serializers.BooleanField(
        required=False, help_text="visit: an unsatisfied visit reopens the order as a redo (default true)"
    )
    days = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, help_text="extend: working days")


class OrderStatusSerializer(serializers.Serializer):
    detail = serializers.CharField()
    status = serializers.ChoiceField(choices=OrderStatus.choices)
