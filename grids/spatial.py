"""Spatial services of the base map: where a point is, what is near it. Every layer above uses these.

Contract (other layers rely on these names):

- ``locate_point(lng, lat, at=None) -> GridLocation``: the unit grid valid at ``at`` (default: now) containing the
  point, with its community, street and district. Raises ``OutsideManagedArea`` (a ``ValueError`` whose message names
  the point) when no grid contains it. One indexed query.
- ``GridLocation``: frozen dataclass with ``grid_id``, ``grid_code``, ``grid_name``, ``community_code``,
  ``community_name``, ``street_code``, ``street_name``, ``district_code``, ``district_name``.
- ``components_near(lng, lat, metres, **filters) -> QuerySet[Component]``: ordered by distance.
- ``geodesic_area_m2(geometry) -> float``.
"""

from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection


def geodesic_area_m2(geometry: GEOSGeometry) -> float:
    """Area in square metres on the WGS84 spheroid (PostGIS geography), for a geometry in SRID 4326."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Area(ST_GeomFromEWKB(%s)::geography)", [bytes(geometry.ewkb)])
        return float(cursor.fetchone()[0] or 0.0)
