"""Base-map vector tiles (底图矢量瓦片): ``GET /tiles/base/{z}/{x}/{y}.pbf``, Mapbox Vector Tiles made by PostGIS.

One statement per tile, one MVT layer per kind, in drawing order:

=============== ============================================ ===================================================
layer           properties                                   from zoom
=============== ============================================ ===================================================
``green``       name, kind                                   12 (parks smaller than a few pixels left out)
``water``       name, kind                                   10 (polygons), 13 (streams and canals)
``buildings``   name, floors                                 15
``roads``       name, class                                  10 expressway/arterial, 12 secondary, 14 branch,
                                                             15 lane
``grids``       code, name (current unit-grid outlines)      11
``labels``      name, kind                                   10 district, 12 street, 13 community, 15 landmark
``road_labels`` name, class (a point on the road, per tile)  15
=============== ============================================ ===================================================

Below zoom 15 lines and polygons are simplified to half a screen pixel (``ST_Simplify`` on the stored Web-Mercator
geometry) before ``ST_AsMVTGeom`` clips and quantises them: a zoom-12 tile over the city then carries the main roads'
shape, not every surveyed vertex. Empty layers are left out; where there is nothing the body is empty (200).
Answers are private (a login is needed, as for component tiles) and cached by the browser for five minutes.

Tiles are also kept in Redis (``cached_base_tile``) for ``settings.TILE_CACHE_SECONDS``, under a version of the base map
that every import of base layers or grids and every edit or deletion of a feature or grid in the admin bumps
(``changed``); with Redis down every tile is made by PostGIS, as before.
"""

from __future__ import annotations

import logging
from functools import cache

from django.conf import settings
from django.core.cache import cache as redis_cache
from django.db import transaction
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from grids.basemap.choices import PlaceKind, RoadClass
from grids.tiles import BUFFER, CONTENT_TYPE, EXTENT, check_tile_address, run_tile_query, tile_response

WORLD_M = 40075016.685578488  # Web-Mercator width of the world in metres
DETAIL_ZOOM = 15  # from here nothing is simplified and the buildings appear
BUILDINGS_MIN_ZOOM = 15
ROAD_MIN_ZOOM = {
    RoadClass.EXPRESSWAY: 10,
    RoadClass.ARTERIAL: 10,
    RoadClass.SECONDARY: 12,
    RoadClass.BRANCH: 14,
    RoadClass.LANE: 15,
}
LABEL_MIN_ZOOM = {PlaceKind.DISTRICT: 10, PlaceKind.STREET: 12, PlaceKind.COMMUNITY: 13, PlaceKind.LANDMARK: 15}
WATER_MIN_ZOOM, WATER_LINE_MIN_ZOOM, GREEN_MIN_ZOOM, GRIDS_MIN_ZOOM, ROAD_LABELS_MIN_ZOOM = 10, 13, 12, 11, 15
VERSION_KEY = "basemap:version"
logger = logging.getLogger(__name__)
LAYER_ORDER = ("green", "water", "buildings", "roads", "grids", "labels", "road_labels")


def pixel_metres(z: int) -> float:
    """Web-Mercator metres of one screen pixel (256-pixel tiles) at zoom *z*."""
    return WORLD_M / 2**z / 256


def _geom(column: str, z: int) -> str:
    """The stored geometry, simplified to half a pixel below DETAIL_ZOOM, cut to the tile and quantised."""
    source = column if z >= DETAIL_ZOOM else f"ST_Simplify({column}, %(tolerance)s)"
    return f"ST_AsMVTGeom({source}, t.env, {EXTENT}, {BUFFER}, true)"


def _layer_sql(name: str, z: int) -> str | None:
    """The SELECT producing layer *name*'s rows at zoom *z* (geom may be NULL where a feature vanished), or None."""
    if name == "green" and z >= GREEN_MIN_ZOOM:
        small = "" if z >= DETAIL_ZOOM else "AND ST_Area(g.mercator) > %(min_area)s"
        return f"""SELECT g.name, g.kind, {_geom("g.mercator", z)} AS geom
                   FROM grids_greenspace g, t WHERE g.mercator && t.benv {small}"""
    if name == "water" and z >= WATER_MIN_ZOOM:
        lines = "" if z >= WATER_LINE_MIN_ZOOM else "AND ST_Dimension(w.mercator) = 2"
        return f"""SELECT w.name, w.kind, {_geom("w.mercator", z)} AS geom
                   FROM grids_water w, t WHERE w.mercator && t.benv {lines}"""
    if name == "buildings" and z >= BUILDINGS_MIN_ZOOM:
        return f"""SELECT b.name, b.floors, {_geom("b.mercator", z)} AS geom
                   FROM grids_building b, t WHERE b.mercator && t.benv"""
    if name == "roads":
        classes = [c for c, since in ROAD_MIN_ZOOM.items() if z >= since]
        if classes:
            return f"""SELECT r.name, r.road_class AS class, {_geom("r.mercator", z)} AS geom
                       FROM grids_road r, t WHERE r.mercator && t.benv
                        AND r.road_class IN ({", ".join(f"'{c}'" for c in classes)})"""
    if name == "grids" and z >= GRIDS_MIN_ZOOM:
        return f"""SELECT g.code, g.name, {_geom("g.mercator", z)} AS geom
                   FROM grids_unitgrid g, t WHERE g.valid_to IS NULL AND g.mercator && t.benv"""
    if name == "labels":
        kinds = [k for k, since in LABEL_MIN_ZOOM.items() if z >= since]
        if kinds:
            return f"""SELECT p.name, p.kind, ST_AsMVTGeom(p.mercator, t.env, {EXTENT}, 0, true) AS geom
                       FROM grids_placelabel p, t WHERE p.mercator && t.env
                        AND p.kind IN ({", ".join(f"'{k}'" for k in kinds)})"""
    if name == "road_labels" and z >= ROAD_LABELS_MIN_ZOOM:
        # One name per road and tile, on the road near the middle of its stretch inside the tile; stretches
        # shorter than a quarter of the tile get none (the name would not fit).
        return f"""SELECT name, class, ST_AsMVTGeom(ST_ClosestPoint(part, ST_Centroid(part)), t.env, {EXTENT}, 0, true)
                          AS geom
                   FROM (SELECT r.name, r.road_class AS class, ST_Intersection(r.mercator, t.env) AS part
                         FROM grids_road r, t
                         WHERE r.mercator && t.env AND r.name <> ''
                           AND r.road_class IN ({", ".join(f"'{c}'" for c in ROAD_MIN_ZOOM if z >= ROAD_MIN_ZOOM[c])})
                        ) s, t
                   WHERE ST_Length(part) > (ST_XMax(t.env) - ST_XMin(t.env)) / 4"""
    return None


@cache
def tile_sql(z: int) -> str:
    """The whole statement for zoom *z*: each layer's rows aggregated with ST_AsMVT and the layers concatenated."""
    parts = []
    for name in LAYER_ORDER:
        select = _layer_sql(name, z)
        if select:
            # OFFSET 0 keeps the planner from pushing "geom IS NOT NULL" into the scan, which would cut every
            # feature to the tile twice.
            rows = f"({select} OFFSET 0) l"
            parts.append(f"(SELECT ST_AsMVT(l.*, '{name}', {EXTENT}, 'geom') FROM {rows} WHERE l.geom IS NOT NULL)")
    if not parts:
        return "SELECT NULL::bytea"
    joined = " || ".join(f"COALESCE({p}, ''::bytea)" for p in parts)
    return f"""
        WITH t AS (
            SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env,
                   ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s) AS benv
        )
        SELECT {joined}"""


def base_tile(z: int, x: int, y: int) -> bytes:
    """The MVT bytes of base tile z/x/y (empty bytes where there is nothing)."""
    pixel = pixel_metres(z)
    values = {
        "z": z,
        "x": x,
        "y": y,
        "margin": BUFFER / EXTENT,
        "tolerance": pixel / 2,
        "min_area": (2 * pixel) ** 2,
    }
    return run_tile_query(tile_sql(z), values)


def _version() -> int:
    try:
        return int(redis_cache.get(VERSION_KEY) or 0)
    except (TypeError, ValueError):
        return 0


def changed() -> None:
    """The base layers or the grids changed: tiles made before are not served again (after the commit)."""

    def bump():
        try:
            redis_cache.incr(VERSION_KEY)
        except ValueError:  # no version yet
            redis_cache.set(VERSION_KEY, 1, None)

    transaction.on_commit(bump)


def cached_base_tile(z: int, x: int, y: int) -> bytes:
    """``base_tile`` through Redis: one GET for the version and one for the tile when it is there."""
    seconds = settings.TILE_CACHE_SECONDS
    if not seconds:
        return base_tile(z, x, y)
    key = f"basetile:{_version()}:{z}:{x}:{y}"
    body = redis_cache.get(key)
    if body is None:
        body = base_tile(z, x, y)
        redis_cache.set(key, body, seconds)
    return body


class BaseTileView(APIView):
    """Vector tile of the base map (Mapbox Vector Tile; layers green, water, buildings, roads, grids, labels,
    road_labels, each from its own zoom)."""

    @extend_schema(responses={(200, CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request: Request, z: int, x: int, y: int) -> HttpResponse:
        check_tile_address(z, x, y)
        return tile_response(cached_base_tile(z, x, y))
