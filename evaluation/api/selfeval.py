"""Self-evaluation API for the finance and supervision systems: the list (year, project, total, grade), one
evaluation as its whole tree with each figure's source and the consistency findings, and its workbook.
Readers need ``evaluation.view_selfevaluation`` (finance, supervisors); other roles get 403."""

from __future__ import annotations

from itertools import groupby

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from core.audit import record_export
from core.permissions import HasPermissions
from core.spreadsheets import XLSX
from evaluation.models.selfeval import FundsLine, Indicator, Project, SelfEvaluation
from evaluation.selfeval import scoring, services
from evaluation.selfeval.checks import run_checks

READ = [services.VIEW_PERMISSION]


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name", "kind", "unit_name", "competent_department"]


class SelfEvaluationSerializer(serializers.ModelSerializer):
    project = ProjectSerializer(read_only=True)
    grade_label = serializers.SerializerMethodField()
    workbook_url = serializers.SerializerMethodField()

    class Meta:
        model = SelfEvaluation
        fields = [
            "id",
            "year",
            "project",
            "unit_name",
            "status",
            "total",
            "grade",
            "grade_label",
            "declared_total",
            "computed_at",
            "workbook_url",
        ]

    def get_grade_label(self, obj) -> str:
        return scoring.GRADE_LABELS_ZH.get(obj.grade, "")

    def get_workbook_url(self, obj) -> str:
        request = self.context.get("request")
        path = f"/api/v1/self-evaluations/{obj.pk}/workbook.xlsx"
        return request.build_absolute_uri(path) if request else path


class FundsLineSerializer(serializers.ModelSerializer):
    rate = serializers.SerializerMethodField()

    class Meta:
        model = FundsLine
        fields = ["row", "initial_budget", "adjusted_budget", "executed", "rate", "sources"]

    def get_rate(self, obj) -> str | None:
        rate = scoring.q2(obj.rate)
        return None if rate is None else str(rate)


class IndicatorSerializer(serializers.ModelSerializer):
    score_rate = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id",
            "position",
            "name",
            "direction",
            "target_value",
            "target_text",
            "unit",
            "actual_value",
            "actual_text",
            "metric_key",
            "weight",
            "effective_weight",
            "inapplicable",
            "score_mode",
            "manual_reason",
            "score",
            "score_rate",
            "declared_score",
            "declared_rate",
            "deviation",
            "sources",
        ]

    def get_score_rate(self, obj) -> str | None:
        rate = scoring.q2(obj.score_rate)
        return None if rate is None else str(rate)


class SelfEvaluationDetailSerializer(SelfEvaluationSerializer):
    """The whole form: header, funds, indicator tree (一级 → 二级 → 三级), texts, result, findings."""

    header = serializers.SerializerMethodField()
    funds = serializers.SerializerMethodField()
    indicators = serializers.SerializerMethodField()
    texts = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()

    class Meta(SelfEvaluationSerializer.Meta):
        fields = [
            *SelfEvaluationSerializer.Meta.fields,
            "declared_grade",
            "sources",
            "header",
            "funds",
            "indicators",
            "texts",
            "findings",
        ]

    def _loaded_of(self, obj) -> services.Loaded:
        cache = self.context.setdefault("_loaded", {})
        if obj.pk not in cache:
            cache[obj.pk] = services.load(obj)
        return cache[obj.pk]

    def get_header(self, obj) -> dict:
        return {f: (str(getattr(obj, f)) if getattr(obj, f) is not None else None) for f in services.HEADER_FIELDS}

    def get_funds(self, obj) -> dict:
        data = self._loaded_of(obj)
        rows = [data.funds[r] for r in FundsLine.ORDER if r in data.funds]
        return {
            "weight": str(obj.funds_weight),
            "full_rate": str(obj.funds_full_rate),
            "rate": None if obj.funds_rate is None else str(obj.funds_rate),
            "score": None if obj.funds_score is None else str(obj.funds_score),
            "declared_rate": None if obj.funds_declared_rate is None else str(obj.funds_declared_rate),
            "declared_score": None if obj.funds_declared_score is None else str(obj.funds_declared_score),
            "rows": FundsLineSerializer(rows, many=True).data,
        }

    def get_indicators(self, obj) -> list:
        tree = []
        indicators = self._loaded_of(obj).indicators
        for level1, group1 in groupby(indicators, key=lambda i: i.level1):
            group1 = list(group1)
            children = [
                {"name": level2, "indicators": IndicatorSerializer(list(group2), many=True).data}
                for level2, group2 in groupby(group1, key=lambda i: i.level2)
            ]
            weight = sum((i.weight for i in group1), 0)
            score = scoring.total_of(i.score for i in group1)
            tree.append({"name": level1, "weight": str(weight), "score": str(score), "children": children})
        return tree

    def get_texts(self, obj) -> dict:
        return {f: getattr(obj, f) for f in services.TEXT_FIELDS}

    def get_findings(self, obj) -> list:
        return [f.as_dict() for f in run_checks(self._loaded_of(obj))]


class SelfEvaluationListView(generics.ListAPIView):
    """Self-evaluations, newest year first (``?year=``, ``?project=``)."""

    permission_classes = [HasPermissions]
    required_permissions = READ
    serializer_class = SelfEvaluationSerializer
    filterset_fields = ["year", "project", "status"]
    queryset = SelfEvaluation.objects.select_related("project").order_by("-year", "project__unit_name", "id")


class SelfEvaluationDetailView(generics.RetrieveAPIView):
    """One self-evaluation: the whole tree, each figure's source and the consistency findings."""

    permission_classes = [HasPermissions]
    required_permissions = READ
    serializer_class = SelfEvaluationDetailSerializer
    queryset = SelfEvaluation.objects.select_related("project")


class SelfEvaluationWorkbookView(APIView):
    permission_classes = [HasPermissions]
    required_permissions = READ

    @extend_schema(
        responses={
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="The self-evaluation as an .xlsx workbook")
        }
    )
    def get(self, request: Request, pk: int):
        from evaluation.selfeval.views import xlsx_response

        evaluation = get_object_or_404(SelfEvaluation.objects.select_related("project"), pk=pk)
        response = xlsx_response(evaluation)
        record_export(request, "self_evaluation", obj=evaluation)
        return response
