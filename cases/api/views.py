"""The case API: intake from the handheld app, lists and details scoped by role, one endpoint per workflow action."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api.serializers import (
    ActionSerializer,
    BatchSerializer,
    CaseCreatedSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseListSerializer,
)
from cases.choices import CaseStatus, PhotoKind
from cases.exceptions import ActionForbidden, ActionNotAllowed, CaseNotFound
from cases.filtersets import CaseFilterSet
from cases.models import Case
from cases.photos import check_photos, remove_files, save_photos
from cases.services.intake import report_batch, report_case
from cases.services.transitions import perform
from cases.workflow import TRANSITIONS

ACTION_PARAMS = (
    "opinion",
    "reason",
    "department",
    "condition",
    "collector",
    "passed",
    "verified",
    "value",
    "unit",
    "original",
)
PHOTO_KIND = {"dispose": PhotoKind.AFTER, "check": PhotoKind.CHECK, "verify": PhotoKind.VERIFY}
CONFLICT = OpenApiResponse(description="The case's status does not allow this action: {detail, status}")


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cases visible to the user (a department its own, a collector their reports, tasks and duty grids)."""

    filterset_class = CaseFilterSet
    serializer_class = CaseListSerializer

    def get_queryset(self):
        queryset = Case.objects.visible_to(self.request.user).select_related("minor_class")
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("events__actor", "photos")
        return queryset.order_by("-received_at", "-id")

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseListSerializer

    @extend_schema(
        request={"application/json": CaseCreateSerializer, "multipart/form-data": CaseCreateSerializer},
        responses={201: CaseCreatedSerializer, 200: CaseCreatedSerializer},
        summary="Report a case (上报)",
    )
    def create(self, request: Request) -> Response:
        # A plain dict: copying a multipart QueryDict would try to deep-copy (pickle) the uploaded files.
        data = {key: request.data.get(key) for key in request.data if key != "photos"}
        if request.FILES:
            data["photos"] = request.FILES.getlist("photos")
        serializer = CaseCreateSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        try:
            case, created = report_case(
                reporter=request.user,
                client_uuid=values["client_uuid"],
                class_code=values["class_code"],
                condition_id=values.get("condition"),
                lat=values["lat"],
                lng=values["lng"],
                address=values.get("address", ""),
                description=values.get("description", ""),
                component_identifier=values.get("component_id") or None,
                reported_at=values.get("reported_at"),
                source=values.get("source") or "collector",
                urgency=values.get("urgency"),
                photos=values.get("photos", []),
            )
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        body = CaseCreatedSerializer(case).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request=BatchSerializer,
        responses={200: OpenApiResponse(description="One result per item")},
        summary="Offline sync: up to 500 reports (批量上报)",
    )
    @action(detail=False, methods=["post"], url_path="batch")
    def batch(self, request: Request) -> Response:
        items = request.data if isinstance(request.data, list) else request.data.get("items")
        serializer = BatchSerializer(data={"items": items if items is not None else []})
        serializer.is_valid(raise_exception=True)
        renamed = [
            {
                **{k: v for k, v in item.items() if k not in {"component_id", "condition"}},
                "component_identifier": item.get("component_id"),
                "condition_id": item.get("condition"),
            }
            for item in serializer.validated_data["items"]
        ]
        try:
            results = report_batch(reporter=request.user, items=renamed)
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response({"results": results})

    def _perform(self, request: Request, pk: str, name: str) -> Response:
        serializer = ActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params = {k: v for k, v in serializer.validated_data.items() if k in ACTION_PARAMS}
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
        except CaseNotFound as exc:
            remove_files(saved)
            raise NotFound("No such case.") from exc
        except ActionForbidden as exc:
            remove_files(saved)
            raise PermissionDenied(str(exc)) from exc
        except ActionNotAllowed as exc:
            remove_files(saved)
            label = CaseStatus(exc.current_status).label if exc.current_status in CaseStatus.values else ""
            return Response(
                {
                    "detail": f"{TRANSITIONS[name].label}: not allowed while the case is {exc.current_status} ({label})"
                    + (f"; {exc.reason}" if exc.reason else ""),
                    "status": exc.current_status,
                },
                status=status.HTTP_409_CONFLICT,
            )
        except (DjangoValidationError, ValueError):
            remove_files(saved)
            raise
        case = self.get_queryset().filter(pk=case.pk).first()
        if case is None:  # the action moved the case out of the user's sight (e.g. a department's return)
            return Response({"id": int(pk), "status": "moved"}, status=status.HTTP_200_OK)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)


def _make_action(name: str):
    rule = TRANSITIONS[name]

    def handler(self, request, pk=None):
        return self._perform(request, pk, name)

    handler.__name__ = f"do_{name}"  # "dispatch" would shadow APIView.dispatch
    handler.__doc__ = f"{rule.label} ({name}); needs {rule.permission}; from {', '.join(sorted(rule.sources))}."
    handler = action(detail=True, methods=["post"], url_path=name.replace("_", "-"), url_name=name)(handler)
    return extend_schema(
        request={"application/json": ActionSerializer, "multipart/form-data": ActionSerializer},
        responses={
            200: CaseDetailSerializer,
            403: OpenApiResponse(description="Role not allowed"),
            404: OpenApiResponse(description="No such case for this user"),
            409: CONFLICT,
        },
        summary=f"{rule.label} ({name})",
    )(handler)


for _name in TRANSITIONS:
    setattr(CaseViewSet, f"do_{_name}", _make_action(_name))


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
            .order_by("stage_deadline", "id")
        )
