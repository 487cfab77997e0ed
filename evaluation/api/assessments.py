"""The collection company's monthly assessment (采集公司月度考核) under /api/v1/supervision/assessments/: the list, one
assessment with its lines, the month-on-month comparison and its timeline, its workbook, creating a month's draft,
and one endpoint per action of ``evaluation.supervision.workflow.ASSESSMENTS`` (recompute, fill, confirm).

Reading needs ``evaluation.view_assessment`` (supervisors); creating and every action ``evaluation.assess_company``,
checked by ``evaluation.supervision.assessment`` and the workflow (403; a confirmed assessment is 409)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.fields import SaneDateField
from core.api.workflow import WorkflowActionsMixin
from core.audit import record_export
from core.permissions import HasPermissions
from core.spreadsheets import XLSX
from evaluation.supervision import assessment
from evaluation.supervision.filtersets import AssessmentFilterSet
from evaluation.supervision.models import Assessment, AssessmentEvent, AssessmentLine, ItemSource
from evaluation.supervision.workflow import ASSESSMENTS

READ = ("evaluation.view_assessment",)


def _text(value) -> str | None:
    return None if value is None else str(value)


class AssessmentSerializer(serializers.ModelSerializer):
    workbook_url = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = ["id", "month", "company", "status", "score", "created_at", "confirmed_at", "workbook_url"]

    def get_workbook_url(self, obj) -> str:
        request = self.context.get("request")
        path = f"/api/v1/supervision/assessments/{obj.pk}/workbook.xlsx"
        return request.build_absolute_uri(path) if request else path


class AssessmentLineSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code")
    # Text, not an enum: a second choice set named "source" would rename the case sources' enum in the schema.
    source = serializers.CharField(help_text="Where the value comes from: " + ", ".join(ItemSource.values))
    is_overridden = serializers.BooleanField(help_text="A platform item whose value was replaced by hand")

    class Meta:
        model = AssessmentLine
        fields = [
            "id",
            "item",
            "name",
            "source",
            "weight",
            "target",
            "lower_is_better",
            "platform_value",
            "value",
            "reason",
            "score",
            "is_overridden",
        ]


class ComparedLineSerializer(serializers.Serializer):
    line = AssessmentLineSerializer()
    previous_value = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    previous_score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    change = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)


class AssessmentEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True)

    class Meta:
        model = AssessmentEvent
        fields = ["id", "action", "actor", "role", "at", "from_status", "to_status", "data"]


class AssessmentDetailSerializer(AssessmentSerializer):
    lines = serializers.SerializerMethodField()
    previous = serializers.SerializerMethodField()
    change = serializers.SerializerMethodField()
    events = AssessmentEventSerializer(many=True, read_only=True)

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "lines", "previous", "change", "events"]

    def _compared(self, obj) -> dict:
        cache = self.context.setdefault("_compared", {})
        if obj.pk not in cache:
            cache[obj.pk] = assessment.comparison(obj)
        return cache[obj.pk]

    @extend_schema_field(ComparedLineSerializer(many=True))
    def get_lines(self, obj) -> list:
        return ComparedLineSerializer(self._compared(obj)["rows"], many=True).data

    @extend_schema_field(AssessmentSerializer(allow_null=True))
    def get_previous(self, obj) -> dict | None:
        prior = self._compared(obj)["previous"]
        return None if prior is None else AssessmentSerializer(prior, context=self.context).data

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Score change from the previous month"))
    def get_change(self, obj) -> str | None:
        return _text(self._compared(obj)["change"])


class NewAssessmentInput(serializers.Serializer):
    month = SaneDateField(input_formats=["%Y-%m", "%Y-%m-%d"], help_text="YYYY-MM (or any day of the month)")
    company = serializers.CharField(max_length=100)


class FillInput(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The line's id")
    value = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="A rate 0–100 for a platform item, the score for a manual one; null: back to the platform's",
    )
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(summary="The collection company's monthly assessments (采集公司月度考核)"),
    retrieve=extend_schema(summary="An assessment: lines, month-on-month comparison, timeline"),
)
class AssessmentViewSet(
    WorkflowActionsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    workflow = ASSESSMENTS
    action_noun = "assessment"
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilterSet
    permission_classes = [HasPermissions]
    required_permissions = READ

    def get_queryset(self):
        queryset = Assessment.objects.order_by("-month")
        if self.action != "list":
            queryset = queryset.prefetch_related("events__actor", "lines__item")
        return queryset

    def get_serializer_class(self):
        return AssessmentSerializer if self.action == "list" else AssessmentDetailSerializer

    def _answer(self, pk: int, code=status.HTTP_200_OK) -> Response:
        item = self.get_queryset().get(pk=pk)
        return Response(AssessmentDetailSerializer(item, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        request=NewAssessmentInput,
        responses={
            201: AssessmentDetailSerializer,
            400: OpenApiResponse(description="{field: message}; `month` when it has been assessed already"),
            403: OpenApiResponse(description="The role may not assess the company"),
        },
        summary="Create a month's draft, filled from the platform",
    )
    def create(self, request: Request) -> Response:
        serializer = NewAssessmentInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        made = assessment.create_assessment(
            request.user, serializer.validated_data["month"], serializer.validated_data["company"]
        )
        return self._answer(made.pk, status.HTTP_201_CREATED)

    @classmethod
    def action_request(cls, name: str):
        return FillInput if name == "fill" else None

    @classmethod
    def action_responses(cls, name: str) -> dict:
        return {200: AssessmentDetailSerializer, 400: OpenApiResponse(description="{field: message}")}

    def perform_action(self, request: Request, pk, name: str) -> Response:
        if name == "fill":
            serializer = FillInput(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            assessment.fill(int(pk), request.user, data["line"], data.get("value"), data["reason"])
        elif name == "recompute":
            assessment.recompute(int(pk), request.user)
        else:
            assessment.confirm(int(pk), request.user)
        return self._answer(int(pk))


class AssessmentWorkbookView(APIView):
    permission_classes = [HasPermissions]
    required_permissions = READ

    @extend_schema(
        responses={
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="The assessment as an .xlsx workbook")
        },
        summary="The assessment as an Excel workbook",
    )
    def get(self, request: Request, pk: int):
        from evaluation.supervision.workbook import workbook

        item = get_object_or_404(Assessment, pk=pk)
        response = HttpResponse(workbook(item), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="assessment-{item.month:%Y-%m}.xlsx"'
        record_export(request, "assessment", obj=item)
        return response
