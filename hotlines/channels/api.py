"""The API of the other intake channels, for the systems around the centre (the government mailbox, the inspection
app, the chat-group bot, the video platform): list, detail and create of online opinions, inspections, chat-group
reports and cameras, plus the follow-ups (reply, problems, joint rectifications, screenshot, a case from a camera).

Reading needs the channel's ``view`` permission, writing its ``add``/``change`` permission (403 otherwise). Writing
goes through ``hotlines.channels.services``: the same checks as the console (400 naming each bad field) and creates
idempotent on the natural key (201 for a new record, 200 with the record already made). The follow-ups run through
the transition contract (``hotlines.channels.workflow``); its refusals answer 403/404 in ``core.api.exceptions``."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases.models import Case
from core.api.fields import ClientDateTimeField
from core.api.parsers import FormParser, JSONParser, MultiPartParser
from core.permissions import HasPermissions
from hotlines.channels import services
from hotlines.channels.filtersets import (
    CameraFilterSet,
    ChatGroupReportFilterSet,
    InspectionFilterSet,
    OnlineOpinionFilterSet,
)
from hotlines.channels.models import (
    Camera,
    ChatGroupReport,
    Inspection,
    InspectionProblem,
    OnlineOpinion,
    RectificationAction,
    VideoCase,
)
from hotlines.choices import CameraWatch, InspectorLevel, OpinionChannel

POINT_SCHEMA = {
    "type": "object",
    "nullable": True,
    "properties": {"lng": {"type": "number"}, "lat": {"type": "number"}},
}


def _point(geometry) -> dict | None:
    return None if geometry is None else {"lng": geometry.x, "lat": geometry.y}


# ---- output --------------------------------------------------------------------------------------------------------


class ChannelCaseSerializer(serializers.ModelSerializer):
    """The case a record raised, with its current status."""

    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Case
        fields = ["id", "case_no", "source", "status", "status_label"]


class OnlineOpinionSerializer(serializers.ModelSerializer):
    case = ChannelCaseSerializer(read_only=True, allow_null=True)

    class Meta:
        model = OnlineOpinion
        fields = [
            "id",
            "channel",
            "external_no",
            "title",
            "content",
            "author",
            "submitted_at",
            "reply",
            "replied_at",
            "case",
        ]


class InspectionProblemSerializer(serializers.ModelSerializer):
    location = serializers.SerializerMethodField()
    case = ChannelCaseSerializer(read_only=True, allow_null=True)

    class Meta:
        model = InspectionProblem
        fields = ["id", "description", "address", "location", "case"]

    @extend_schema_field(POINT_SCHEMA)
    def get_location(self, problem) -> dict | None:
        return _point(problem.location)


class RectificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = RectificationAction
        fields = ["id", "title", "date", "departments", "result"]


class InspectionSerializer(serializers.ModelSerializer):
    problems = InspectionProblemSerializer(many=True, read_only=True)
    rectifications = RectificationSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "inspector", "level", "date", "route", "note", "problems", "rectifications"]


class ChatReportSerializer(serializers.ModelSerializer):
    location = serializers.SerializerMethodField()
    screenshot = serializers.SerializerMethodField()
    case = ChannelCaseSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ChatGroupReport
        fields = ["id", "group", "reporter_handle", "message_at", "content", "screenshot", "location", "case"]

    @extend_schema_field(POINT_SCHEMA)
    def get_location(self, report) -> dict | None:
        return _point(report.location)

    def get_screenshot(self, report) -> str | None:
        if not report.screenshot:
            return None
        request = self.context.get("request")
        url = report.screenshot.url
        return request.build_absolute_uri(url) if request is not None else url


class VideoCaseSerializer(serializers.ModelSerializer):
    case = ChannelCaseSerializer(read_only=True)
    snapshot = serializers.SerializerMethodField()

    class Meta:
        model = VideoCase
        fields = ["id", "camera", "captured_at", "snapshot", "case"]

    def get_snapshot(self, video) -> str | None:
        if not video.snapshot:
            return None
        request = self.context.get("request")
        url = video.snapshot.url
        return request.build_absolute_uri(url) if request is not None else url


class CameraSerializer(serializers.ModelSerializer):
    location = serializers.SerializerMethodField()

    class Meta:
        model = Camera
        fields = ["id", "code", "name", "location", "address", "watches", "is_active"]

    @extend_schema_field(POINT_SCHEMA)
    def get_location(self, camera) -> dict | None:
        return _point(camera.location)


class CameraDetailSerializer(CameraSerializer):
    video_cases = serializers.SerializerMethodField()

    class Meta(CameraSerializer.Meta):
        fields = [*CameraSerializer.Meta.fields, "video_cases"]

    @extend_schema_field(VideoCaseSerializer(many=True))
    def get_video_cases(self, camera) -> list:
        request = self.context.get("request")
        if request is None or not request.user.has_perm("hotlines.view_videocase"):
            return []
        rows = camera.video_cases.select_related("case").order_by("-captured_at")[:100]
        return VideoCaseSerializer(rows, many=True, context=self.context).data


# ---- input ---------------------------------------------------------------------------------------------------------


class CasePointInput(serializers.Serializer):
    class_code = serializers.CharField(max_length=8, help_text="Minor class code of the case to raise.")
    lng = serializers.FloatField(min_value=-180, max_value=180, help_text="WGS84 longitude of the problem.")
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text="WGS84 latitude of the problem.")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)


class OnlineOpinionInput(CasePointInput):
    channel = serializers.ChoiceField(choices=OpinionChannel.choices)
    external_no = serializers.CharField(
        max_length=50, help_text="The mailbox's item number; a repeat returns the opinion already recorded."
    )
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=4000)
    author = serializers.CharField(max_length=50, required=False, allow_blank=True)
    submitted_at = ClientDateTimeField(required=False, help_text="Default: now.")


class ReplyInput(serializers.Serializer):
    reply = serializers.CharField(max_length=4000)
    replied_at = ClientDateTimeField(required=False, help_text="Default: now.")


class ProblemInput(CasePointInput):
    description = serializers.CharField(max_length=4000)


class InspectionInput(serializers.Serializer):
    inspector = serializers.CharField(max_length=50)
    level = serializers.ChoiceField(choices=InspectorLevel.choices)
    date = serializers.DateField()
    route = serializers.CharField(max_length=300)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    problems = ProblemInput(
        many=True, required=False, help_text="Problems found; each raises a case (source inspection)."
    )


class RectificationInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    date = serializers.DateField()
    departments = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="Department ids.")
    result = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class ChatReportInput(CasePointInput):
    group = serializers.CharField(max_length=100)
    reporter_handle = serializers.CharField(max_length=100)
    message_at = ClientDateTimeField()
    content = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    screenshot = serializers.FileField(required=False, help_text="JPEG, PNG or WebP (checked by content), ≤ 10 MB.")


class ScreenshotInput(serializers.Serializer):
    screenshot = serializers.FileField(help_text="JPEG, PNG or WebP (checked by content), ≤ 10 MB.")


class CameraInput(serializers.Serializer):
    code = serializers.CharField(max_length=30, help_text="The camera's code; a repeat returns the camera.")
    name = serializers.CharField(max_length=100)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    watches = serializers.ChoiceField(choices=CameraWatch.choices, required=False)
    is_active = serializers.BooleanField(required=False, default=True)


class CameraCaseInput(serializers.Serializer):
    class_code = serializers.CharField(max_length=8)
    captured_at = ClientDateTimeField(help_text="The same camera and capture time make the same case.")
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    snapshot = serializers.FileField(required=False, help_text="JPEG, PNG or WebP (checked by content), ≤ 10 MB.")
    lng = serializers.FloatField(required=False, help_text="Default: the camera's position.")
    lat = serializers.FloatField(required=False, help_text="Default: the camera's position.")


# ---- views ---------------------------------------------------------------------------------------------------------


def _validated(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _created(created: bool) -> int:
    return status.HTTP_201_CREATED if created else status.HTTP_200_OK


def _create_responses(serializer, what: str) -> dict:
    return {
        201: serializer,
        200: OpenApiResponse(serializer, description=f"This {what} was already recorded (nothing new written)"),
        400: OpenApiResponse(description="{field: message} for every bad field"),
        403: OpenApiResponse(description="The role may not record this"),
    }


class ChannelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [HasPermissions]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def _detail(self, record, code: int = status.HTTP_200_OK) -> Response:
        record = self.get_queryset().get(pk=record.pk)
        return Response(self.get_serializer(record).data, status=code)


@extend_schema_view(
    list=extend_schema(summary="Online opinions (网络留言/政府信箱)"),
    retrieve=extend_schema(summary="An online opinion with its reply and case"),
)
class OnlineOpinionViewSet(ChannelViewSet):
    serializer_class = OnlineOpinionSerializer
    filterset_class = OnlineOpinionFilterSet
    required_permissions = ("hotlines.view_onlineopinion",)
    action_permissions = {
        "create": ("hotlines.add_onlineopinion",),
        "reply": ("hotlines.change_onlineopinion",),
    }

    def get_queryset(self):
        return OnlineOpinion.objects.select_related("case").order_by("-submitted_at", "-id")

    @extend_schema(
        request=OnlineOpinionInput,
        responses=_create_responses(OnlineOpinionSerializer, "item number"),
        summary="Record an online opinion and raise its case (source online)",
    )
    def create(self, request: Request) -> Response:
        opinion, created = services.record_opinion(request.user, **_validated(OnlineOpinionInput, request))
        return self._detail(opinion, _created(created))

    @extend_schema(
        request=ReplyInput,
        responses={200: OnlineOpinionSerializer, 400: OpenApiResponse(description="{field: message}")},
        summary="Record the reply to an online opinion (time recorded)",
    )
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk=None) -> Response:
        opinion = services.reply_opinion(request.user, int(pk), **_validated(ReplyInput, request))
        return self._detail(opinion)


@extend_schema_view(
    list=extend_schema(summary="Leaders' inspections (领导巡查) with their problems and joint rectifications"),
    retrieve=extend_schema(summary="An inspection with its problems, their cases, and joint rectifications"),
)
class InspectionViewSet(ChannelViewSet):
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet
    required_permissions = ("hotlines.view_inspection",)
    action_permissions = {
        "create": ("hotlines.add_inspection",),
        "problems": ("hotlines.add_inspectionproblem",),
        "rectifications": ("hotlines.add_rectificationaction",),
    }

    def get_queryset(self):
        return Inspection.objects.prefetch_related(
            Prefetch("problems", queryset=InspectionProblem.objects.select_related("case")),
            Prefetch("rectifications", queryset=RectificationAction.objects.prefetch_related("departments")),
        ).order_by("-date", "-id")

    @extend_schema(
        request=InspectionInput,
        responses=_create_responses(InspectionSerializer, "inspection (inspector, date, route)"),
        summary="Record an inspection with the problems found (each raises a case, source inspection)",
    )
    def create(self, request: Request) -> Response:
        data = _validated(InspectionInput, request)
        data["problems"] = [dict(p) for p in data.get("problems", [])]
        inspection, created = services.record_inspection(request.user, **data)
        return self._detail(inspection, _created(created))

    @extend_schema(
        request=ProblemInput,
        responses=_create_responses(InspectionSerializer, "problem (description, address)"),
        summary="Add a problem found on the inspection; it raises a case (source inspection)",
    )
    @action(detail=True, methods=["post"])
    def problems(self, request: Request, pk=None) -> Response:
        _problem, created = services.add_problem(request.user, int(pk), **_validated(ProblemInput, request))
        return self._detail(Inspection(pk=int(pk)), _created(created))

    @extend_schema(
        request=RectificationInput,
        responses=_create_responses(InspectionSerializer, "joint rectification (title, date)"),
        summary="Record a joint rectification decided after the inspection",
    )
    @action(detail=True, methods=["post"])
    def rectifications(self, request: Request, pk=None) -> Response:
        data = _validated(RectificationInput, request)
        _action, created = services.record_rectification(request.user, int(pk), **data)
        return self._detail(Inspection(pk=int(pk)), _created(created))


@extend_schema_view(
    list=extend_schema(summary="Chat-group reports (千里眼群)"),
    retrieve=extend_schema(summary="A chat-group report with its screenshot and case"),
)
class ChatReportViewSet(ChannelViewSet):
    serializer_class = ChatReportSerializer
    filterset_class = ChatGroupReportFilterSet
    required_permissions = ("hotlines.view_chatgroupreport",)
    action_permissions = {
        "create": ("hotlines.add_chatgroupreport",),
        "screenshot": ("hotlines.change_chatgroupreport",),
    }

    def get_queryset(self):
        return ChatGroupReport.objects.select_related("case").order_by("-message_at", "-id")

    @extend_schema(
        request={"multipart/form-data": ChatReportInput, "application/json": ChatReportInput},
        responses=_create_responses(ChatReportSerializer, "message (group, handle, time)"),
        summary="Record a chat-group report with its screenshot and raise its case (source chat_group)",
    )
    def create(self, request: Request) -> Response:
        report, created = services.record_chat_report(request.user, **_validated(ChatReportInput, request))
        return self._detail(report, _created(created))

    @extend_schema(
        request={"multipart/form-data": ScreenshotInput},
        responses={200: ChatReportSerializer, 400: OpenApiResponse(description="{screenshot: message}")},
        summary="Attach or replace the screenshot of a chat-group report",
    )
    @action(detail=True, methods=["post"])
    def screenshot(self, request: Request, pk=None) -> Response:
        upload = _validated(ScreenshotInput, request)["screenshot"]
        report = services.attach_screenshot(request.user, int(pk), upload)
        return self._detail(report)


@extend_schema_view(
    list=extend_schema(summary="The camera registry (视频监控)"),
    retrieve=extend_schema(summary="A camera with the cases raised from it"),
)
class CameraViewSet(ChannelViewSet):
    serializer_class = CameraSerializer
    filterset_class = CameraFilterSet
    required_permissions = ("hotlines.view_camera",)
    action_permissions = {
        "create": ("hotlines.add_camera",),
        "cases": ("hotlines.view_camera", "hotlines.add_videocase"),
    }

    def get_queryset(self):
        return Camera.objects.order_by("code")

    def get_serializer_class(self):
        return CameraDetailSerializer if self.action in {"retrieve", "cases"} else CameraSerializer

    @extend_schema(
        request=CameraInput,
        responses=_create_responses(CameraSerializer, "camera code"),
        summary="Add a camera to the registry",
    )
    def create(self, request: Request) -> Response:
        camera, created = services.register_camera(request.user, **_validated(CameraInput, request))
        return Response(CameraSerializer(camera, context={"request": request}).data, status=_created(created))

    @extend_schema(
        request={"multipart/form-data": CameraCaseInput, "application/json": CameraCaseInput},
        responses=_create_responses(VideoCaseSerializer, "capture (camera, time)"),
        summary="Raise a case spotted on this camera, with its snapshot (source video)",
    )
    @action(detail=True, methods=["post"])
    def cases(self, request: Request, pk=None) -> Response:
        video, created = services.camera_case(request.user, int(pk), **_validated(CameraCaseInput, request))
        video = VideoCase.objects.select_related("case").get(pk=video.pk)
        return Response(VideoCaseSerializer(video, context={"request": request}).data, status=_created(created))
