"""The hotline API: the 12345 platform pushes orders and pulls replies and satisfaction back; lists and details are
scoped by role; one endpoint per work-order action (403/404/409 like the case API)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core import exports as export_jobs
from core.api.workflow import WorkflowActionsMixin
from core.audit import record_export
from core.permissions import HasPermissions
from core.replica import reads_replica
from core.spreadsheets import XLSX
from hotlines.api.serializers import (
    OrderActionSerializer,
    OrderStatusSerializer,
    WorkOrderDetailSerializer,
    WorkOrderListSerializer,
    WorkOrderPushSerializer,
)
from hotlines.exceptions import OrderForbidden
from hotlines.exports import export_filename, orders_workbook
from hotlines.filtersets import WorkOrderFilterSet
from hotlines.masking import may_see_phone
from hotlines.models import WorkOrder
from hotlines.services import SERVICES, perform, receive
from hotlines.workflow import ORDERS

PUSH_FIELDS = [name for name in WorkOrderPushSerializer().fields]


def required_fields(action_name: str) -> set[str]:
    """The parameters an action's service cannot do without (its keyword-only arguments with no default): a
    request missing one is a 400 naming it, not a TypeError."""
    import inspect

    parameters = inspect.signature(SERVICES[action_name]).parameters.values()
    return {p.name for p in parameters if p.kind is p.KEYWORD_ONLY and p.default is p.empty}


@extend_schema_view(
    list=extend_schema(
        summary="Work orders visible to the user (工单列表)",
        description="With `updated_since` the list is ordered by `updated_at` (oldest first) so the 12345 platform "
        "can pull replies, return visits and completions incrementally.",
    ),
    retrieve=extend_schema(summary="A work order with its timeline (工单详情)"),
)
class WorkOrderViewSet(WorkflowActionsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Work orders visible to the user; one endpoint per action of the order workflow (``WorkflowActionsMixin``)."""

    workflow = ORDERS
    action_noun = "order"
    action_conflict = OpenApiResponse(
        OrderStatusSerializer, description="The order's status does not allow this action"
    )
    filterset_class = WorkOrderFilterSet
    serializer_class = WorkOrderListSerializer
    permission_classes = [HasPermissions]
    # Reading needs view_workorder (rows are then scoped by role); pushing needs receive_workorder; each action's
    # own permission and the department check are the service's.
    required_permissions = ("hotlines.view_workorder",)
    action_permissions = {"create": ("hotlines.receive_workorder",)}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WorkOrder.objects.none()
        queryset = WorkOrder.objects.visible_to(self.request.user).select_related("hotline", "department", "case")
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("events__actor")
        if self.request.query_params.get("updated_since"):
            return queryset.order_by("updated_at", "id")
        return queryset.order_by("-received_at", "-id")

    def get_serializer_class(self):
        return WorkOrderDetailSerializer if self.action == "retrieve" else WorkOrderListSerializer

    @extend_schema(
        responses={
            202: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="More than EXPORT_INLINE_MAX_ROWS work orders: an export job to follow at status_url",
            ),
            (200, XLSX): OpenApiResponse(
                OpenApiTypes.BINARY, description="The filtered work orders the user may see (at most 20,000)"
            ),
        },
        summary="Export the filtered list as an Excel workbook (工单导出)",
    )
    @action(detail=False, methods=["get"], url_path="export")
    @reads_replica
    def export(self, request: Request) -> HttpResponse:
        queryset = self.filter_queryset(self.get_queryset())
        if export_jobs.runs_in_background(queryset):
            return export_jobs.accepted(
                "hotline_orders",
                request,
                permission="hotlines.view_workorder",
                options={"filters": export_jobs.filters_of(request.query_params)},
            )
        show_phone = may_see_phone(request.user)
        body, count = orders_workbook(queryset, show_phone=show_phone)
        record_export(request, "hotline_orders", rows=count, phones_shown=show_phone)
        response = HttpResponse(body, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{export_filename()}"'
        response["X-Row-Count"] = str(count)
        return response

    @extend_schema(
        request=WorkOrderPushSerializer,
        responses={
            201: WorkOrderDetailSerializer,
            200: OpenApiResponse(WorkOrderDetailSerializer, description="This order number was already received"),
            400: OpenApiResponse(description="{field: message} for every bad field"),
            403: OpenApiResponse(description="The account may not receive orders"),
        },
        summary="Push a work order (12345 平台推送工单)",
    )
    def create(self, request: Request) -> Response:
        data = request.data
        if not hasattr(data, "get"):
            raise ValidationError({"non_field_errors": [_("Send one order as an object.")]})
        try:
            order, created = receive(actor=request.user, **{name: data.get(name) for name in PUSH_FIELDS})
        except OrderForbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        order = self.get_queryset().prefetch_related("events__actor").get(pk=order.pk)
        body = WorkOrderDetailSerializer(order, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @classmethod
    def action_request(cls, name: str):
        return OrderActionSerializer

    @classmethod
    def action_responses(cls, name: str) -> dict:
        return {200: WorkOrderDetailSerializer, 400: OpenApiResponse(description="{field: message}")}

    def perform_action(self, request: Request, pk: str, name: str) -> Response:
        serializer = OrderActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        missing = required_fields(name) - set(serializer.validated_data)
        if missing:
            raise ValidationError({field: [_("This field is required.")] for field in sorted(missing)})
        order = perform(int(pk), name, request.user, **serializer.validated_data)
        order = self.get_queryset().prefetch_related("events__actor").filter(pk=order.pk).first()
        if order is None:  # the action moved the order out of the user's sight (a department's send-back)
            return Response({"id": int(pk), "status": "moved"}, status=status.HTTP_200_OK)
        return Response(WorkOrderDetailSerializer(order, context={"request": request}).data)
