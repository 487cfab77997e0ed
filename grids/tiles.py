"""Component vector tiles (部件矢量瓦片): Mapbox Vector Tiles made in PostGIS with ST_AsMVT.

``GET /tiles/components/{z}/{x}/{y}.pbf[?class_code=0101,0102&status=damaged]`` answers one layer, ``components``.
From ``FULL_DETAIL_ZOOM`` (16) up, one feature per component: id (feature id), identifier, class_code, class_name,
status. Below it a tile over a dense city would hold tens of thousands of points (over 1 MB at zoom 14), so points
are clustered in PostGIS into cells of 1/64 of the tile and each cell is one feature with ``id`` (its lowest
component id) and ``point_count``. Where there is nothing the body is empty (0 bytes, still 200).
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView

from grids.choices import ComponentStatus

LAYER = "components"
EXTENT = 4096
BUFFER = 64  # px of EXTENT around the tile, so symbols on the edge are not cut
MIN_ZOOM, MAX_ZOOM = 0, 22
FULL_DETAIL_ZOOM = 16
CLUSTER_CELLS = 64  # cells per tile side when clustering (64 px of a 4096 tile)
CACHE_SECONDS = 300
CONTENT_TYPE = "application/vnd.mapbox-vector-tile"

_BOUNDS = """
    bounds AS (
        SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env,
               ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s), 4326) AS env4326
    )"""

_FEATURES_SQL = f"""
    WITH {_BOUNDS},
    mvt AS (
        SELECT c.id, c.identifier, m.code AS class_code, m.name AS class_name, c.status,
               ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(c.mercator_x, c.mercator_y), 3857), b.env, {EXTENT}, {BUFFER},
                            false) AS geom
        FROM grids_component c JOIN grids_minorclass m ON m.id = c.minor_class_id, bounds b
        WHERE c.location && b.env4326 {{filters}}
    )
    SELECT ST_AsMVT(mvt.*, '{LAYER}', {EXTENT}, 'geom', 'id') FROM mvt"""

# Cells come from the stored Web-Mercator coordinates (generated columns of the component table) instead of
# projecting every point: the densest zoom-14 tile holds ~65,000 components.
_CLUSTERS_SQL = f"""
    WITH {_BOUNDS},
    cell AS (SELECT b.env, b.env4326, (ST_XMax(b.env) - ST_XMin(b.env)) / {CLUSTER_CELLS} AS w FROM bounds b),
    pts AS (
        SELECT c.id, floor(c.mercator_x / cell.w) AS cx, floor(c.mercator_y / cell.w) AS cy
        FROM grids_component c, cell
        WHERE c.location && cell.env4326 {{filters}}
    ),
    cells AS (SELECT cx, cy, count(*) AS n, min(id) AS id FROM pts GROUP BY 1, 2),
    mvt AS (
        SELECT cells.id, cells.n AS point_count,
               ST_AsMVTGeom(ST_SetSRID(ST_MakePoint((cx + 0.5) * cell.w, (cy + 0.5) * cell.w), 3857), cell.env,
                            {EXTENT}, {BUFFER}, false) AS geom
        FROM cells, cell
    )
    SELECT ST_AsMVT(mvt.*, '{LAYER}', {EXTENT}, 'geom', 'id') FROM mvt"""


def check_tile_address(z: int, x: int, y: int) -> None:
    """400 for a zoom out of range, 404 for a tile that does not exist at that zoom (shared by every tile view)."""
    if not MIN_ZOOM <= z <= MAX_ZOOM:
        raise ValidationError({"z": [f"Zoom must be between {MIN_ZOOM} and {MAX_ZOOM}."]})
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        raise NotFound(f"There is no tile {z}/{x}/{y}.")


def tile_response(body: bytes, max_age: int = CACHE_SECONDS) -> HttpResponse:
    """An MVT answer: private (tiles need a login) and cacheable by the browser for *max_age* seconds."""
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Cache-Control"] = f"private, max-age={max_age}"
    return response


def run_tile_query(sql: str, values: dict) -> bytes:
    """Run a tile statement returning one bytea; empty bytes where there is nothing."""
    # The planner's cost estimate for a big tile switches on JIT, whose compilation costs more than the query.
    # work_mem: the cluster aggregate of a dense tile then stays a hash in memory instead of a sort on disk.
    # One round trip: PostgreSQL runs the statements of one query string as one (implicit) transaction, so the
    # settings hold for the tile's statement only, without a BEGIN and a COMMIT of their own.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '32MB'; " + sql, values)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


def _filters(request: Request) -> tuple[str, dict[str, object]]:
    clauses, params = [], {}
    classes = [c.strip() for c in request.query_params.get("class_code", "").split(",") if c.strip()]
    if classes:
        clauses.append("AND c.minor_class_id IN (SELECT id FROM grids_minorclass WHERE code = ANY(%(classes)s))")
        params["classes"] = classes
    statuses = [s.strip() for s in request.query_params.get("status", "").split(",") if s.strip()]
    if statuses:
        unknown = sorted(set(statuses) - set(ComponentStatus.values))
        if unknown:
            raise ValidationError({"status": [f"Unknown status {', '.join(unknown)}."]})
        clauses.append("AND c.status = ANY(%(statuses)s)")
        params["statuses"] = statuses
    return " ".join(clauses), params


def component_tile(z: int, x: int, y: int, filters: str = "", params: dict | None = None) -> bytes:
    """The MVT bytes of tile z/x/y (empty bytes where there is nothing)."""
    template = _FEATURES_SQL if z >= FULL_DETAIL_ZOOM else _CLUSTERS_SQL
    sql = template.format(filters=filters)
    values = {"z": z, "x": x, "y": y, "margin": BUFFER / EXTENT, **(params or {})}
    return run_tile_query(sql, values)


class ComponentTileView(APIView):
    """Vector tile of components (Mapbox Vector Tile, layer ``components``); clustered below zoom 16."""

    @extend_schema(
        parameters=[
            OpenApiParameter("class_code", str, description="Comma-separated minor class codes"),
            OpenApiParameter("status", str, description="Comma-separated statuses"),
        ],
        responses={(200, CONTENT_TYPE): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, z: int, x: int, y: int) -> HttpResponse:
        check_tile_address(z, x, y)
        filters, params = _filters(request)
        return tile_response(component_tile(z, x, y, filters, params))
