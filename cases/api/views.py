"""The case API: intake from the handheld app, lists and details scoped by role, one endpoint per workflow action."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api.serializers import (
    BatchResponseSerializer,
    BatchSerializer,
    CaseCreatedSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseListSerializer,
    CaseReportFields,
    action_serializer,
    drf_datetime,
)
from cases.choices import CaseSource, CaseStatus, PhotoKind, RequestKind
from cases.exceptions import ActionForbidden, CaseNotFound, ClientUuidTaken
from cases.exports import XLSX, cases_workbook, export_filename
from cases.filtersets import CaseFilterSet
from cases.mapdata import cases_geojson, parse_bbox
from cases.models import Case, CaseRequest
from cases.pagination import CasePagination
from cases.photos import save_photos
from cases.services import MAX_BATCH, REPORT_FIELDS, client_sources, perform, report_batch, report_case
from cases.workflow import CASES, TRANSITIONS
from core import exports as export_jobs
from core.api.workflow import WorkflowActionsMixin
from core.audit import record_export
from core.permissions import HasPermissions
from core.replica import reads_replica
from core.uploads import check_photos, remove_files

_EXTENSIONS = Prefetch("requests", queryset=CaseRequest.objects.filter(kind=RequestKind.EXTENSION))
ACTION_SERIALIZERS = {name: action_serializer(name) for name in TRANSITIONS}
PHOTO_KIND = {"dispose": PhotoKind.AFTER, "check": PhotoKind.CHECK, "verify": PhotoKind.VERIFY}
CONFLICT = OpenApiResponse(
    description=(
        'The case\'s status does not allow this action: {"detail": "<a sentence naming the status\'s label>", '
        '"status": "<current status>"}'
    )
)


class CaseViewSet(WorkflowActionsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cases visible to the user (a department its own, a collector their reports, tasks and duty grids); one
    endpoint per action of the case workflow (``WorkflowActionsMixin``: 403 / 404 / 409 from the refusals)."""

    workflow = CASES
    action_noun = "case"
    action_conflict = CONFLICT

    filterset_class = CaseFilterSet
    serializer_class = CaseListSerializer
    # Reading lists, details, the map and exports needs the view permission (finance has none: 403, not an empty
    # list). Reports and workflow actions are checked by their services (403 / 404 / 409 as documented).
    permission_classes = [HasPermissions]
    action_permissions = {name: ("cases.view_case",) for name in ("list", "retrieve", "map", "export")}
    pagination_class = CasePagination  # counts exact up to 5,000 cases, estimated beyond
    throttle_scopes = {"create": "intake", "batch": "intake"}  # reports have their own rate limit (core.throttling)
    items_checked_individually = ("batch",)  # one poisoned report fails alone (core/api/parsers.py)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Case.objects.none()
        queryset = Case.objects.visible_to(self.request.user).select_related("minor_class")
        # Traffic lights of extended cases read their approved extensions: one query for the page, not one per row.
        queryset = queryset.prefetch_related(_EXTENSIONS)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("events__actor", "photos")
        return queryset.order_by("-received_at", "-id")

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseListSerializer

    @extend_schema(
        request={"application/json": CaseReportFields, "multipart/form-data": CaseCreateSerializer},
        responses={
            201: CaseCreatedSerializer,
            200: OpenApiResponse(CaseCreatedSerializer, description="This client_uuid already made the case"),
            400: OpenApiResponse(description="{field: message} for every bad field; `location` for a point outside"),
            403: OpenApiResponse(description="The role may not report"),
            409: OpenApiResponse(description="This client_uuid already made another user's case"),
        },
        summary="Report a case (上报)",
    )
    def create(self, request: Request) -> Response:
        # The intake service checks every field (the same rules as each batch item), so no serializer pass here: a
        # collector's report is the hottest path of the platform.
        data = request.data
        if not hasattr(data, "get"):
            raise ValidationError({"non_field_errors": [_("Send one report as an object.")]})
        values = {name: data.get(name) for name in REPORT_FIELDS}
        photos = request.FILES.getlist("photos") if request.FILES else []
        try:
            case, created = report_case(
                reporter=request.user,
                client_uuid=values["client_uuid"],
                class_code=values["class_code"],
                kind=values["kind"],
                condition_id=values["condition"],
                lat=values["lat"],
                lng=values["lng"],
                address=values["address"] or "",
                description=values["description"] or "",
                component_identifier=values["component_id"],
                reported_at=values["reported_at"],
                source=values["source"] or CaseSource.COLLECTOR,
                urgency=values["urgency"],
                photos=photos,
                require_client_uuid=True,
                sources=client_sources(request.user),
                uuid_per_reporter=True,
            )
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        except ClientUuidTaken:
            return Response(
                {"client_uuid": [_("Already used by another user's report.")]}, status=status.HTTP_409_CONFLICT
            )
        body = {  # the fields of CaseCreatedSerializer, written out: this is the platform's hottest endpoint
            "id": case.pk,
            "case_no": case.case_no,
            "status": case.status,
            "grid_code": case.grid_code,
            "deadline": drf_datetime(case.stage_deadline),
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request=BatchSerializer,
        responses={
            200: OpenApiResponse(BatchResponseSerializer, description="One result per item, in order"),
            400: OpenApiResponse(description="`items` missing, not a list, or longer than 500"),
        },
        summary="Offline sync: up to 500 reports (批量上报)",
    )
    @action(detail=False, methods=["post"], url_path="batch")
    def batch(self, request: Request) -> Response:
        data = request.data
        items = data if isinstance(data, list) else data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ValidationError({"items": [_("A list of reports is required.")]})
        if len(items) > MAX_BATCH:
            raise ValidationError(
                {
                    "items": [
                        _("At most %(max)d reports per batch, got %(count)d.") % {"max": MAX_BATCH, "count": len(items)}
                    ]
                }
            )
        try:
            results = report_batch(reporter=request.user, items=items, sources=client_sources(request.user))
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response({"results": results})

    @extend_schema(
        responses={
            202: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="More than EXPORT_INLINE_MAX_ROWS cases: an export job to follow at status_url",
            ),
            (200, XLSX): OpenApiResponse(
                OpenApiTypes.BINARY, description="The filtered cases the user may see (at most 50,000)"
            ),
        },
        summary="Export the filtered list as an Excel workbook (案件导出)",
    )
    @action(detail=False, methods=["get"], url_path="export")
    @reads_replica
    def export(self, request: Request) -> HttpResponse:
        queryset = self.filter_queryset(self.get_queryset())
        if export_jobs.runs_in_background(queryset):
            options = {"filters": export_jobs.filters_of(request.query_params)}
            return export_jobs.accepted("cases", request, permission="cases.view_case", options=options)
        body, count = cases_workbook(queryset)
        record_export(request, "cases", rows=count)
        response = HttpResponse(body, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{export_filename()}"'
        response["X-Row-Count"] = str(count)
        return response

    @extend_schema(
        parameters=[
            OpenApiParameter("bbox", str, description="minLng,minLat,maxLng,maxLat of the view (WGS84)"),
        ],
        responses={200: OpenApiResponse(description="GeoJSON FeatureCollection with `truncated` (more matched)")},
        summary="Cases on the map (案件地图): open cases unless a status is asked for",
    )
    @action(detail=False, methods=["get"], url_path="map")
    def map(self, request: Request) -> Response:
        try:
            bbox = parse_bbox(request.query_params.get("bbox"))
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        queryset = self.filter_queryset(self.get_queryset())
        return Response(cases_geojson(queryset, bbox=bbox, open_only="status" not in request.query_params))

    @classmethod
    def action_request(cls, name: str):
        return {"application/json": ACTION_SERIALIZERS[name], "multipart/form-data": ACTION_SERIALIZERS[name]}

    @classmethod
    def action_responses(cls, name: str) -> dict:
        return {200: CaseDetailSerializer}

    def perform_action(self, request: Request, pk: str, name: str) -> Response:
        serializer = ACTION_SERIALIZERS[name](data=request.data)
        serializer.is_valid(raise_exception=True)
        params = {k: v for k, v in serializer.validated_data.items() if k != "photos"}
        photos = request.FILES.getlist("photos") if request.FILES else []
        saved = []
        try:
            with transaction.atomic():
                photo_ids = []
                if photos:
                    case = Case.objects.visible_to(request.user).filter(pk=pk).first()
                    if case is None:
                        raise CaseNotFound(pk)
                    saved = save_photos(case, check_photos(photos), PHOTO_KIND.get(name, PhotoKind.BEFORE))
                    photo_ids = [row.pk for row in saved]
                case = perform(int(pk), name, request.user, photo_ids=photo_ids, **params)
        except Exception:  # refused or invalid: the photos saved for it go too (the refusal maps to its status)
            remove_files(saved)
            raise
        case = self.get_queryset().filter(pk=case.pk).first()
        if case is None:  # the action moved the case out of the user's sight (e.g. a department's return)
            return Response({"id": int(pk), "status": "moved"}, status=status.HTTP_200_OK)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)


class TaskListView(ListAPIView):
    """A collector's verification (核实) and check (核查) tasks, oldest first."""

    serializer_class = CaseListSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Case.objects.none()
        return (
            Case.objects.visible_to(self.request.user)
            .filter(assigned_collector=self.request.user, status__in=[CaseStatus.VERIFYING, CaseStatus.CHECKING])
            .select_related("minor_class")
            .prefetch_related(_EXTENSIONS)
            .order_by("stage_deadline", "id")
        )
