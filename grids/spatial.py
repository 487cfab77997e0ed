"""Spatial helpers of the base map (the look-up services grow here)."""

from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection


def geodesic_area_m2(geometry: GEOSGeometry) -> float:
    """Area in square metres on the WGS84 spheroid (PostGIS geography), for a geometry in SRID 4326."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Area(ST_GeomFromEWKB(%s)::geography)", [bytes(geometry.ewkb)])
        return float(cursor.fetchone()[0] or 0.0)
