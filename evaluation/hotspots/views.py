"""热点分析 in the console (``/evaluation/hotspots/``, its Excel export) and the heat tiles (``/tiles/heat/…``).

Hotspots count every case of the city, so they need ``evaluation.view_hotspots`` (centre staff, supervisors,
administrators); a department or a collector, who see only some cases, get 403.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.views import APIView

from core import audit
from core.permissions import HasPermissions
from core.replica import reads_replica
from core.spreadsheets import XLSX
from evaluation.hotspots import rankings, tiles
from evaluation.hotspots.filters import HotspotQuery, parse_query
from evaluation.hotspots.workbook import hotspot_workbook

PERMISSION = "evaluation.view_hotspots"
TILE_CACHE_SECONDS = 60


def _class_choices() -> list[dict]:
    from grids.models import MinorClass

    return [
        {"id": pk, "label": f"{code} {name}"}
        for pk, code, name in MinorClass.objects.filter(is_active=True)
        .order_by("-standard__is_default", "standard__code", "code")
        .values_list("pk", "code", "name")
    ]


def _source_choices() -> list[dict]:
    from cases.choices import CaseSource

    return [{"value": value, "label": str(label)} for value, label in CaseSource.choices]


def hotspot_report(query: HotspotQuery, n: int, m: int, *, limit: int | None = 20) -> dict:
    return {
        "rankings": {dimension: rankings.ranking(query, dimension, limit=limit) for dimension in rankings.DIMENSIONS},
        "recurring": rankings.recurring(query.end, count=n, days=m, source=query.source, class_id=query.class_id),
    }


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
@reads_replica
def hotspot_page(request: HttpRequest) -> HttpResponse:
    errors: dict = {}
    try:
        query = parse_query(request.GET)
    except ValidationError as exc:
        errors.update({field: " ".join(messages) for field, messages in exc.message_dict.items()})
        query = parse_query({})
    try:
        n, m = rankings.recurring_settings(request.GET)
    except ValidationError as exc:
        errors.update({field: " ".join(messages) for field, messages in exc.message_dict.items()})
        n, m = rankings.recurring_settings()
    report = hotspot_report(query, n, m)
    params = query.as_params() | {"n": str(n), "m": str(m)}
    context = {
        "query": query,
        "previous": query.previous(),
        "n": n,
        "m": m,
        "errors": errors,
        "report": report,
        "classes": _class_choices(),
        "sources": _source_choices(),
        "export_query": "&".join(f"{k}={v}" for k, v in params.items()),
        "heat_query": "&".join(f"{k}={v}" for k, v in query.as_params().items()),
    }
    status = 400 if errors else 200
    return render(request, "evaluation/hotspots.html", context, status=status)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
@reads_replica
def hotspot_export(request: HttpRequest) -> HttpResponse:
    try:
        query = parse_query(request.GET)
        n, m = rankings.recurring_settings(request.GET)
    except ValidationError as exc:
        return HttpResponse(
            "; ".join(f"{f}: {' '.join(v)}" for f, v in exc.message_dict.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    report = hotspot_report(query, n, m, limit=None)
    body, rows = hotspot_workbook(query, report["rankings"], report["recurring"], n, m)
    audit.record_export(request, "hotspots", rows=rows)
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="hotspots-{timezone.localtime():%Y%m%d-%H%M}.xlsx"'
    return response


def tile_response(z: int, x: int, y: int, params) -> HttpResponse:
    """The heat tile for a query string; DRF errors (400/404) for bad input."""
    if not tiles.MIN_ZOOM <= z <= tiles.MAX_ZOOM:
        raise exceptions.ValidationError({"z": [f"Zoom must be between {tiles.MIN_ZOOM} and {tiles.MAX_ZOOM}."]})
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        raise exceptions.NotFound(f"There is no tile {z}/{x}/{y}.")
    try:
        query = parse_query(params)
    except ValidationError as exc:
        raise exceptions.ValidationError(exc.message_dict) from None
    response = HttpResponse(tiles.cached_heat_tile(z, x, y, query), content_type=tiles.CONTENT_TYPE)
    response["Cache-Control"] = f"private, max-age={TILE_CACHE_SECONDS}"
    return response


class HeatTileView(APIView):
    """Heat tile of cases (Mapbox Vector Tile, layer ``heat``: square cells with ``n``, the cases counted)."""

    permission_classes = [HasPermissions]
    required_permissions = [PERMISSION]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (default: 29 days before `to`)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (default: today)"),
            OpenApiParameter("class", int, description="Minor class id"),
            OpenApiParameter("source", str, description="Intake channel"),
        ],
        responses={(200, tiles.CONTENT_TYPE): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, z: int, x: int, y: int) -> HttpResponse:
        return tile_response(z, x, y, request.query_params)
