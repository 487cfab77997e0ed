"""Supervision API (督察) under /api/v1/supervision/: inspection records with their evidence photos, trainings and the
collectors as people (home department, start date, training flag). The company's monthly assessment is in
``evaluation.api.assessments``.

Reading needs the view permission of each (``core.roles.SUPERVISION``: shift leaders, supervisors, admins); others
get 403. Every write goes through ``evaluation.supervision.services`` (permission, every field checked before
anything is written, 400 naming the field); creates take an optional ``client_uuid`` so a repeated submission
answers 200 with the record already made. Evidence photos are links to ``/files/…``, served by ``core.files`` only
to those who may see their record (the inspectors and supervisors, and the collector inspected)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import BooleanField, Case, F, OuterRef, Prefetch, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.fields import SaneDateField
from core.api.parsers import FormParser, JSONParser, MultiPartParser
from core.choices import Role
from core.models import User
from core.permissions import HasPermissions
from evaluation.supervision import services
from evaluation.supervision.filtersets import CollectorFilterSet, InspectionRecordFilterSet, TrainingFilterSet
from evaluation.supervision.models import (
    HomeDepartment,
    InspectionKind,
    InspectionPhoto,
    InspectionRecord,
    Training,
    TrainingAttendance,
)

MAX_ID = 2**31 - 1


def _name(user) -> str:
    return f"{user.last_name}{user.first_name}".strip() or user.username


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return _name(user)


# ---- output --------------------------------------------------------------------------------------------------------


class InspectionPhotoSerializer(serializers.ModelSerializer):
    url = serializers.FileField(source="image", use_url=True, help_text="Served only to those who may see the record")

    class Meta:
        model = InspectionPhoto
        fields = ["id", "url", "content_type", "size", "sha256"]


class CaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_no = serializers.CharField()


class InspectionCorrectionSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True)
    reason = serializers.CharField()
    data = serializers.JSONField(help_text="{before: {field: value}, after: {field: value}}")


class InspectionRecordSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    inspector = PersonSerializer()
    collector = PersonSerializer()
    case = CaseRefSerializer(allow_null=True)
    reversed_by = serializers.IntegerField(
        source="reversal_id", allow_null=True, help_text="The record that reversed this one"
    )
    created_by = serializers.CharField(source="created_by.username")
    photos = InspectionPhotoSerializer(many=True)
    corrections = InspectionCorrectionSerializer(many=True)

    class Meta:
        model = InspectionRecord
        fields = [
            "id",
            "inspected_on",
            "team",
            "inspector",
            "collector",
            "kind",
            "kind_label",
            "grid_code",
            "case",
            "description",
            "deduction",
            "reverses",
            "reversed_by",
            "created_by",
            "created_at",
            "client_uuid",
            "photos",
            "corrections",
        ]


class AttendanceSerializer(serializers.ModelSerializer):
    collector = PersonSerializer()

    class Meta:
        model = TrainingAttendance
        fields = ["collector", "passed"]


class TrainingSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username")
    attendees = AttendanceSerializer(source="attendances", many=True)

    class Meta:
        model = Training
        fields = ["id", "held_on", "topic", "trainer", "created_by", "client_uuid", "attendees"]


class CollectorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()
    home = serializers.ChoiceField(choices=HomeDepartment.choices)
    home_label = serializers.SerializerMethodField()
    part_time = serializers.SerializerMethodField()
    started_on = serializers.DateField(allow_null=True)
    last_trained_on = serializers.DateField(allow_null=True, help_text="The date of the last training attended")
    last_passed = serializers.BooleanField(allow_null=True, help_text="Whether the last training was passed")
    flagged = serializers.BooleanField(help_text="Failed the last training, or never trained")

    def get_name(self, user) -> str:
        return _name(user)

    def get_home_label(self, user) -> str:
        return str(HomeDepartment(user.home).label)

    def get_part_time(self, user) -> bool:
        return user.home != HomeDepartment.FULL_TIME


# ---- input ---------------------------------------------------------------------------------------------------------


class InspectionRecordInput(serializers.Serializer):
    client_uuid = serializers.UUIDField(
        required=False, allow_null=True, help_text="The device's id of the record: a repeat returns the record made"
    )
    inspected_on = SaneDateField()
    team = serializers.CharField(max_length=50)
    collector = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The collector inspected (user id)")
    kind = serializers.ChoiceField(choices=InspectionKind.choices)
    grid_code = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    case_no = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default="", help_text="A false or duplicate report's case"
    )
    description = serializers.CharField(max_length=4000)
    deduction = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0)
    photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=6,
        help_text="Multipart only: evidence photos, JPEG, PNG or WebP (recognised by content), 10 MB each, at most 6.",
    )


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class CorrectionInput(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)
    kind = serializers.ChoiceField(choices=InspectionKind.choices, required=False)
    grid_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    description = serializers.CharField(max_length=4000, required=False)
    deduction = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0, required=False)


class AttendeeInput(serializers.Serializer):
    collector = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    passed = serializers.BooleanField()


class TrainingInput(serializers.Serializer):
    client_uuid = serializers.UUIDField(
        required=False, allow_null=True, help_text="The device's id of the record: a repeat returns the record made"
    )
    held_on = SaneDateField()
    topic = serializers.CharField(max_length=200)
    trainer = serializers.CharField(max_length=100)
    attendees = AttendeeInput(many=True, max_length=500)


# ---- views ---------------------------------------------------------------------------------------------------------


def _validated(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _create_responses(serializer, what: str) -> dict:
    return {
        201: serializer,
        200: OpenApiResponse(serializer, description=f"This client_uuid already made the {what}"),
        400: OpenApiResponse(description="{field: message} for every bad field"),
        403: OpenApiResponse(description="The role may not record this"),
    }


@extend_schema_view(
    list=extend_schema(summary="Inspection records of collectors (督察记录)"),
    retrieve=extend_schema(summary="An inspection record with its evidence photos and corrections"),
)
class InspectionRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = InspectionRecordSerializer
    filterset_class = InspectionRecordFilterSet
    permission_classes = [HasPermissions]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    required_permissions = (services.VIEW_INSPECTIONS,)
    action_permissions = {
        "create": (services.INSPECT_PERMISSION,),
        "reverse": (services.INSPECT_PERMISSION,),
        # correct: the service lets administrators only (403 for anyone else)
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return InspectionRecord.objects.none()
        reversal = InspectionRecord.objects.filter(reverses=OuterRef("pk")).values("pk")[:1]
        return (
            services.visible_records(self.request.user)
            .select_related("created_by")
            .annotate(reversal_id=Subquery(reversal))
            .prefetch_related("photos", Prefetch("corrections", queryset=_corrections()))
            .order_by("-inspected_on", "-id")
        )

    def _answer(self, record, code=status.HTTP_200_OK) -> Response:
        record = self.get_queryset().get(pk=record.pk)
        return Response(self.get_serializer(record).data, status=code)

    @extend_schema(
        request={"multipart/form-data": InspectionRecordInput, "application/json": InspectionRecordInput},
        responses=_create_responses(InspectionRecordSerializer, "record"),
        summary="Record an inspection of a collector with evidence photos and a deduction",
    )
    def create(self, request: Request) -> Response:
        from cases.models import Case

        data = _validated(InspectionRecordInput, request)
        case = None
        if data["case_no"].strip():
            case = Case.objects.filter(key__case_no=data["case_no"].strip()).first()
            if case is None:
                raise ValidationError({"case_no": [_("No case with this number.")]})
        collector = User.objects.filter(pk=data["collector"], role=Role.COLLECTOR).first()
        try:
            record, created = services.record_inspection_once(
                request.user,
                data.get("client_uuid"),
                inspected_on=data["inspected_on"],
                team=data["team"],
                collector=collector,
                kind=data["kind"],
                grid_code=data["grid_code"],
                case=case,
                description=data["description"],
                deduction=data["deduction"],
                photos=data.get("photos") or [],
            )
        except DjangoValidationError as error:
            raise ValidationError(_renamed(error.message_dict, {"case": "case_no"})) from error
        return self._answer(record, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request=ReasonInput,
        responses={
            201: InspectionRecordSerializer,
            400: OpenApiResponse(description="{field: message}; `record` when it cannot be reversed (again)"),
        },
        summary="Reverse a record by a new one with the opposite deduction (the original stays)",
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk=None) -> Response:
        record = self.get_object()
        reversal = services.reverse_inspection(request.user, record, _validated(ReasonInput, request)["reason"])
        return self._answer(reversal, status.HTTP_201_CREATED)

    @extend_schema(
        request=CorrectionInput,
        responses={
            200: InspectionRecordSerializer,
            400: OpenApiResponse(description="{field: message}"),
            403: OpenApiResponse(description="Only an administrator corrects a record"),
        },
        summary="An administrator's correction in place, with the reason (kept and audited)",
    )
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk=None) -> Response:
        if not services.may_correct(request.user):
            raise PermissionDenied(_("Only an administrator may correct an inspection record."))
        record = self.get_object()
        data = _validated(CorrectionInput, request)
        reason = data.pop("reason")
        changes = {name: value for name, value in data.items() if value != getattr(record, name)}
        if not changes:
            raise ValidationError({"reason": [_("Nothing to correct.")]})
        services.correct_inspection(request.user, record, reason, **changes)
        return self._answer(record)


def _corrections():
    from evaluation.supervision.models import InspectionCorrection

    return InspectionCorrection.objects.select_related("actor").order_by("at", "id")


def _renamed(errors: dict, names: dict) -> dict:
    return {names.get(field, field): messages for field, messages in errors.items()}


@extend_schema_view(
    list=extend_schema(summary="Trainings of collectors (培训记录) with each attendee's result"),
    retrieve=extend_schema(summary="A training with its attendees' results"),
)
class TrainingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = TrainingSerializer
    filterset_class = TrainingFilterSet
    permission_classes = [HasPermissions]
    required_permissions = ("evaluation.view_training",)
    action_permissions = {"create": (services.TRAIN_PERMISSION,)}

    def get_queryset(self):
        attendances = TrainingAttendance.objects.select_related("collector").order_by("collector__username")
        return (
            Training.objects.select_related("created_by")
            .prefetch_related(Prefetch("attendances", queryset=attendances))
            .order_by("-held_on", "-id")
        )

    @extend_schema(
        request=TrainingInput,
        responses=_create_responses(TrainingSerializer, "training"),
        summary="Record a training and whether each attendee passed",
    )
    def create(self, request: Request) -> Response:
        data = _validated(TrainingInput, request)
        ids = [a["collector"] for a in data["attendees"]]
        if len(set(ids)) != len(ids):
            raise ValidationError({"attendees": [_("A collector is listed twice.")]})
        users = User.objects.in_bulk(ids)
        unknown = sorted(set(ids) - set(users))
        if unknown:
            raise ValidationError({"attendees": [_("No such user: %(ids)s.") % {"ids": ", ".join(map(str, unknown))}]})
        results = {users[a["collector"]]: a["passed"] for a in data["attendees"]}
        training, created = services.record_training_once(
            request.user,
            data.get("client_uuid"),
            held_on=data["held_on"],
            topic=data["topic"],
            trainer=data["trainer"],
            results=results,
        )
        training = self.get_queryset().get(pk=training.pk)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(self.get_serializer(training).data, status=code)


def collectors():
    """Active collectors with their home department (full-time without a profile), start date and the result of
    their last training (the rule of ``training.last_results``), flagged when failed or never trained."""
    latest = TrainingAttendance.objects.filter(collector=OuterRef("pk")).order_by("-training__held_on", "-training_id")
    return (
        User.objects.filter(role=Role.COLLECTOR, is_active=True)
        .annotate(
            home=Coalesce(F("collector__home"), Value(HomeDepartment.FULL_TIME)),
            started_on=F("collector__started_on"),
            last_trained_on=Subquery(latest.values("training__held_on")[:1]),
            last_passed=Subquery(latest.values("passed")[:1]),
        )
        .annotate(
            flagged=Case(When(last_passed=True, then=Value(False)), default=Value(True), output_field=BooleanField())
        )
        .order_by("username")
    )


@extend_schema_view(
    list=extend_schema(summary="Collectors as people: home department, start date, training flag"),
    retrieve=extend_schema(summary="A collector: home department, start date, last training"),
)
class CollectorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CollectorSerializer
    filterset_class = CollectorFilterSet
    permission_classes = [HasPermissions]
    required_permissions = ("evaluation.view_collectorprofile",)

    def get_queryset(self):
        return collectors()
