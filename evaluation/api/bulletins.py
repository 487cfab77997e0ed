"""Bulletin API for the supervision and finance systems: list, one bulletin's figures as JSON, its workbook, and
the indicator definitions. Readers need ``evaluation.view_bulletin`` (supervisors, finance); others get 403."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.audit import record_export
from core.permissions import HasPermissions
from core.replica import ReplicaReadsMixin
from core.spreadsheets import XLSX
from evaluation.indicators import definitions
from evaluation.models import Bulletin

READ = ["evaluation.view_bulletin"]


class BulletinSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    workbook_url = serializers.SerializerMethodField()

    class Meta:
        model = Bulletin
        fields = [
            "id",
            "year",
            "number",
            "title",
            "period_start",
            "period_end",
            "status",
            "computed_at",
            "published_at",
            "workbook_url",
        ]

    def get_title(self, obj: Bulletin) -> str:
        return f"{obj.year}年第{obj.number}期"

    def get_workbook_url(self, obj: Bulletin) -> str:
        request = self.context.get("request")
        path = f"/api/v1/bulletins/{obj.pk}/workbook.xlsx"
        return request.build_absolute_uri(path) if request else path


class BulletinDetailSerializer(BulletinSerializer):
    figures = serializers.JSONField(read_only=True)

    class Meta(BulletinSerializer.Meta):
        fields = [*BulletinSerializer.Meta.fields, "figures"]


class BulletinListView(ReplicaReadsMixin, generics.ListAPIView):
    """Monthly bulletins, newest first (``?year=``, ``?status=draft|published``)."""

    permission_classes = [HasPermissions]
    required_permissions = READ
    serializer_class = BulletinSerializer
    filterset_fields = ["year", "status"]
    queryset = Bulletin.objects.order_by("-period_start")


class BulletinDetailView(ReplicaReadsMixin, generics.RetrieveAPIView):
    """One bulletin with all its figures (frozen once published)."""

    permission_classes = [HasPermissions]
    required_permissions = READ
    serializer_class = BulletinDetailSerializer
    queryset = Bulletin.objects.all()


class BulletinWorkbookView(ReplicaReadsMixin, APIView):
    permission_classes = [HasPermissions]
    required_permissions = READ

    @extend_schema(
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="The bulletin as an .xlsx workbook")}
    )
    def get(self, request: Request, pk: int):
        from django.shortcuts import get_object_or_404

        from evaluation.bulletins.views import xlsx_response

        bulletin = get_object_or_404(Bulletin, pk=pk)
        response = xlsx_response(bulletin)
        record_export(request, "bulletin", obj=bulletin)
        return response


class PeriodFiguresView(ReplicaReadsMixin, APIView):
    """Every figure of any period (``?start=YYYY-MM-DD&end=YYYY-MM-DD``, at most five years) from the rollups:
    overall counts and rates, departments, streets, communities, channels and people with composite scores.
    Cached in Redis for five minutes."""

    permission_classes = [HasPermissions]
    required_permissions = READ
    MAX_DAYS = 5 * 366

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, required=True),
            OpenApiParameter("end", OpenApiTypes.DATE, required=True),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request):
        from django.utils.dateparse import parse_date
        from django.utils.translation import gettext as _
        from rest_framework.exceptions import ValidationError

        from evaluation.indicators import period_figures

        dates = {}
        for name in ("start", "end"):
            try:
                dates[name] = parse_date(request.query_params.get(name, ""))
            except ValueError:
                dates[name] = None
            if dates[name] is None:
                raise ValidationError({name: [_("A date as YYYY-MM-DD is required.")]})
        if dates["end"] < dates["start"]:
            raise ValidationError({"end": [_("The end must not be before the start.")]})
        if (dates["end"] - dates["start"]).days > self.MAX_DAYS:
            raise ValidationError({"end": [_("A period of at most five years.")]})
        return Response(period_figures(dates["start"], dates["end"]))


class IndicatorDefinitionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    formula = serializers.CharField()
    numerator = serializers.ListField(child=serializers.CharField())
    denominator = serializers.ListField(child=serializers.CharField())
    unit = serializers.CharField()
    scope = serializers.CharField()
    lower_is_better = serializers.BooleanField()
    counts = serializers.CharField()


class IndicatorDefinitionsView(APIView):
    """Every indicator: key, label, formula, numerator and denominator measures, unit."""

    permission_classes = [HasPermissions]
    required_permissions = READ

    @extend_schema(responses={200: IndicatorDefinitionSerializer(many=True)})
    def get(self, request: Request):
        return Response(definitions())
