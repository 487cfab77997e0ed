"""``GET /api/v1/taxonomy/``: the class tree the handheld app and the console pick from — major classes, their minor
classes, and under each its active filing conditions (立案条件) with disposal limit, closing condition, urgency and
default department. Answers are cached in Redis and dropped on any taxonomy edit (``grids.taxonomy``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from django.core.cache import cache
from django.db.models import Prefetch
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from grids.choices import ClassKind
from grids.models import ClassificationStandard, FilingCondition, MajorClass, MinorClass
from grids.taxonomy import limit_label, taxonomy_version
from grids.taxonomy.filtersets import MinorClassFilterSet

CACHE_SECONDS = 6 * 3600


class StandardSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClassificationStandard
        fields = ["code", "name", "is_default", "is_local"]


class FilingConditionSerializer(serializers.ModelSerializer):
    limit_value = serializers.DecimalField(max_digits=7, decimal_places=2, coerce_to_string=False)
    limit_unit_label = serializers.CharField(source="get_limit_unit_display")
    limit_label = serializers.SerializerMethodField(help_text="The limit as the field writes it, e.g. 4工作时.")
    urgency_label = serializers.CharField(source="get_urgency_display")

    class Meta:
        model = FilingCondition
        fields = [
            "id",
            "code",
            "description",
            "limit_value",
            "limit_unit",
            "limit_unit_label",
            "limit_label",
            "closing_condition",
            "urgency",
            "urgency_label",
            "default_department",
        ]

    def get_limit_label(self, condition: FilingCondition) -> str:
        return limit_label(condition.limit_value, condition.limit_unit)


class MinorClassSerializer(serializers.ModelSerializer):
    conditions = FilingConditionSerializer(many=True, source="active_conditions")

    class Meta:
        model = MinorClass
        fields = ["id", "code", "name", "kind", "conditions"]


class MajorClassSerializer(serializers.ModelSerializer):
    minor_classes = MinorClassSerializer(many=True, source="listed_minors")

    class Meta:
        model = MajorClass
        fields = ["id", "code", "name", "kind", "minor_classes"]


class TaxonomySerializer(serializers.Serializer):
    standard = StandardSerializer()
    kind = serializers.ChoiceField(choices=ClassKind.choices, allow_null=True)
    majors = MajorClassSerializer(many=True)


def build_taxonomy(standard: ClassificationStandard, kind: str | None, minors: Sequence[MinorClass]) -> dict:
    """Group the (already filtered) minor classes under their major classes, in code order."""
    majors: dict[int, MajorClass] = {}
    for minor in minors:
        major = majors.setdefault(minor.major_id, minor.major)
        major.__dict__.setdefault("listed_minors", []).append(minor)
    data = TaxonomySerializer({"standard": standard, "kind": kind, "majors": list(majors.values())}).data
    # A plain structure (numbers, not Decimals; no serializer attached) so that it can be pickled into Redis.
    return json.loads(json.dumps(data, cls=JSONEncoder))


class TaxonomyView(APIView):
    """Classes of a standard with their filing conditions and disposal limits (分类与立案条件)."""

    @extend_schema(
        summary="Taxonomy: classes with filing conditions and limits",
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=ClassKind.values, description="component or event"),
            OpenApiParameter("standard", OpenApiTypes.STR, description="standard code; the default standard if absent"),
            OpenApiParameter("major", OpenApiTypes.INT, description="id of one major class"),
            OpenApiParameter("q", OpenApiTypes.STR, description="text in a class name or condition, or a code prefix"),
        ],
        responses={200: TaxonomySerializer},
    )
    def get(self, request: Request) -> Response:
        filterset = MinorClassFilterSet(request.query_params, queryset=MinorClass.objects.filter(is_active=True))
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        params = filterset.form.cleaned_data
        standard = params.get("standard")
        kind = params.get("kind") or None
        # The default standard is keyed as such, so the handheld's start-up call costs no query when cached.
        raw = json.dumps(
            [
                standard.code if standard else None,
                kind,
                params["major"].pk if params.get("major") else None,
                params.get("q") or "",
                get_language(),
            ]
        )
        version = taxonomy_version()
        key = f"grids:taxonomy:{version}:{hashlib.sha1(raw.encode()).hexdigest()}"
        payload = cache.get(key) if version else None
        if payload is None:
            standard = standard or ClassificationStandard.objects.first()  # ordered: the default one first
            if standard is None:
                raise NotFound(_("No classification standard is loaded."))
            minors = (
                filterset.qs.filter(standard=standard)
                .select_related("major")
                .prefetch_related(
                    Prefetch(
                        "conditions",
                        queryset=FilingCondition.objects.filter(is_active=True).order_by("code"),
                        to_attr="active_conditions",
                    )
                )
                .order_by("kind", "major__code", "code")
            )
            payload = build_taxonomy(standard, kind, list(minors))
            if version:  # no version seen (Redis down): an answer cached now could outlive a later edit
                cache.set(key, payload, CACHE_SECONDS)
        return Response(payload)
