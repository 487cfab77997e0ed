"""案件地图: the cases a user may see as GeoJSON points for a map view, with their traffic lights.

A view of the city can hold thousands of open cases; at most MAP_LIMIT are sent (the most recent first) and the
answer says when more matched, so the page can ask the user to zoom in or filter.
"""

from __future__ import annotations

from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.choices import TERMINAL_STATUSES, CaseStatus
from cases.deadlines import traffic_light
from grids.spatial import parse_bbox as spatial_bbox

MAP_LIMIT = 2000


def parse_bbox(raw: str | None) -> Polygon | None:
    """``minLng,minLat,maxLng,maxLat`` (Leaflet's toBBoxString) → polygon, by the base map's own parser;
    ValidationError naming ``bbox``."""
    if not raw:
        return None
    try:
        return Polygon.from_bbox(spatial_bbox(raw))
    except ValueError as exc:
        raise ValidationError({"bbox": str(exc)}) from None


def cases_geojson(queryset, *, bbox: Polygon | None = None, open_only: bool = True) -> dict:
    """A FeatureCollection of *queryset* (already scoped to the user and filtered) inside *bbox*."""
    if bbox is not None:
        queryset = queryset.filter(location__within=bbox)
    if open_only:
        queryset = queryset.exclude(status__in=[s.value for s in TERMINAL_STATUSES])
    rows = list(
        queryset.select_related("minor_class")
        .order_by("-received_at", "-id")[: MAP_LIMIT + 1]
        .prefetch_related("requests")
    )
    now = timezone.now()
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [case.location.x, case.location.y]},
            "properties": {
                "id": case.pk,
                "case_no": case.case_no,
                "status": case.status,
                "status_label": str(CaseStatus(case.status).label),
                "class": case.minor_class.name,
                "overdue": case.is_overdue,
                "light": traffic_light(case, now),
                "url": reverse("cases:detail", args=[case.pk]),
            },
        }
        for case in rows[:MAP_LIMIT]
    ]
    return {"type": "FeatureCollection", "features": features, "truncated": len(rows) > MAP_LIMIT}
