"""API views of the base map: grid look-up by point, grids as simplified GeoJSON, components as paginated GeoJSON.

Grids and components are base data: every authenticated user may read them (the project's default permission).
"""

from __future__ import annotations

from collections import OrderedDict

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from grids.api.serializers import ComponentFeatureSerializer, GridLookupSerializer, LookupQuerySerializer
from grids.filtersets import ComponentFilterSet, UnitGridFilterSet
from grids.models import Component, UnitGrid
from grids.spatial import GEOJSON_DECIMALS, OutsideManagedArea, grids_geojson, locate_point

_FEATURE_COLLECTION = inline_serializer(
    "FeatureCollection",
    {"type": serializers.CharField(), "features": serializers.ListField(child=serializers.DictField())},
)


class GridLookupView(APIView):
    """Which unit grid (and community, street, district) contains a point (网格定位)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("lat", float, required=True, description="Latitude, WGS84"),
            OpenApiParameter("lng", float, required=True, description="Longitude, WGS84"),
        ],
        responses={200: GridLookupSerializer, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        query = LookupQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            location = locate_point(query.validated_data["lng"], query.validated_data["lat"])
        except OutsideManagedArea as exc:
            raise NotFound(str(exc)) from None
        return Response(GridLookupSerializer(location).data)


class GridGeoJSONView(APIView):
    """Current unit grids as a GeoJSON FeatureCollection, outlines simplified for the map."""

    @extend_schema(
        parameters=[
            OpenApiParameter("bbox", str, description="minlng,minlat,maxlng,maxlat"),
            OpenApiParameter("community", str, description="Community code"),
            OpenApiParameter("street", str, description="Street code"),
            OpenApiParameter("q", str, description="Code prefix or part of the name"),
        ],
        responses={200: _FEATURE_COLLECTION},
    )
    def get(self, request: Request) -> HttpResponse:
        filterset = UnitGridFilterSet(request.query_params, queryset=UnitGrid.objects.all(), request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        extra = {k for k in ("community", "street", "q") if filterset.form.cleaned_data.get(k)}
        # The box goes straight into the PostGIS query; a queryset only when other filters narrow the grids.
        body = grids_geojson(queryset=filterset.qs if extra else None, bbox=filterset.form.cleaned_data.get("bbox"))
        return HttpResponse(body, content_type="application/json")


class GeoJSONPagination(PageNumberPagination):
    """``{count, next, previous, type: FeatureCollection, features}``."""

    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_paginated_response(self, data: list) -> Response:
        return Response(
            OrderedDict(
                count=self.page.paginator.count,
                next=self.get_next_link(),
                previous=self.get_previous_link(),
                type="FeatureCollection",
                features=data,
            )
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "properties": {
                "count": {"type": "integer"},
                "next": {"type": "string", "nullable": True},
                "previous": {"type": "string", "nullable": True},
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": schema,
            },
        }


class ComponentViewSet(viewsets.ReadOnlyModelViewSet):
    """Components (管理部件) as GeoJSON features, filtered by box, class, status, grid or text; paginated."""

    serializer_class = ComponentFeatureSerializer
    filterset_class = ComponentFilterSet
    pagination_class = GeoJSONPagination

    def get_queryset(self):
        return (
            Component.objects.select_related("minor_class", "grid")
            .only(
                "id",
                "identifier",
                "name",
                "status",
                "census_date",
                "changed_date",
                "grid__code",
                "minor_class__code",
                "minor_class__name",
            )
            .annotate(geojson=AsGeoJSON("geometry", precision=GEOJSON_DECIMALS))
            .order_by("identifier")
        )
