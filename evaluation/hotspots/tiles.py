"""Heat tiles (热力图瓦片): ``GET /tiles/heat/{z}/{x}/{y}.pbf?from=&to=&class=&source=``, one MVT layer ``heat``.

Each feature is a square cell with ``n`` (cases counted for hotspots in the period) and is read from the
pre-aggregated ``HeatCell`` rows, never from the cases: at zoom z ≤ 14 a cell is 1/16 of the tile (16 px), made by
adding up stored cells with a bit shift; above 14 the stored cells are drawn as they are. A period is read as the
complete months it covers (month rows) plus its edge days (day rows), so a year costs about as much as two months.

``cached_heat_tile`` keeps tiles in Redis: a period that reaches yesterday or today (whose counts ``sync_facts``
updates every 15 s) for ``LIVE_CACHE_SECONDS``, an older one for ``settings.TILE_CACHE_SECONDS``, under the
rollups' version (a rebuild starts afresh). With Redis down every tile comes from PostGIS.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from evaluation.hotspots.aggregation import BASE_LEVEL, CELL, HEAT, current_month
from evaluation.hotspots.filters import HotspotQuery

LAYER = "heat"
EXTENT = 4096
MIN_ZOOM, MAX_ZOOM = 0, 20
CELLS_PER_TILE_BITS = 4  # 16 × 16 cells per tile
CONTENT_TYPE = "application/vnd.mapbox-vector-tile"
LIVE_CACHE_SECONDS = 15


def period_parts(start: date, end: date) -> tuple[list[date], list[tuple[date, date]]]:
    """(complete months read from month rows, day ranges read from day rows) covering [start, end]."""
    months: list[date] = []
    ranges: list[tuple[date, date]] = []
    limit = current_month()  # month rows exist for complete months only
    day = start
    while day <= end:
        next_month = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        month_end = next_month - timedelta(days=1)
        if day.day == 1 and month_end <= end and day < limit:
            months.append(day)
        else:
            last = min(month_end, end)
            if ranges and ranges[-1][1] == day - timedelta(days=1):
                ranges[-1] = (ranges[-1][0], last)
            else:
                ranges.append((day, last))
        day = next_month
    return months, ranges


def period_clause(query: HotspotQuery, params: dict, prefix: str = "h") -> str:
    months, ranges = period_parts(query.start, query.end)
    parts = []
    if months:
        params["months"] = months
        parts.append(f"({prefix}.grain = 1 AND {prefix}.period = ANY(%(months)s))")
    for index, (first, last) in enumerate(ranges):
        params[f"first{index}"], params[f"last{index}"] = first, last
        parts.append(f"({prefix}.grain = 0 AND {prefix}.period BETWEEN %(first{index})s AND %(last{index})s)")
    return "(" + " OR ".join(parts) + ")"


def heat_tile(z: int, x: int, y: int, query: HotspotQuery) -> bytes:
    """The MVT bytes of tile z/x/y (empty where nothing was counted)."""
    level = min(z + CELLS_PER_TILE_BITS, BASE_LEVEL)
    shift = BASE_LEVEL - level
    span = 2 ** (BASE_LEVEL - z) if z <= BASE_LEVEL else 1  # stored cells per tile side
    half = 2 ** (BASE_LEVEL - 1)
    if z <= BASE_LEVEL:
        x_min, y_max = -half + x * span, half - y * span - 1
        x_max, y_min = x_min + span - 1, y_max - span + 1
    else:  # deeper than the stored cells: the one cell under the tile
        factor = 2 ** (z - BASE_LEVEL)
        x_min = x_max = -half + x // factor
        y_min = y_max = half - y // factor - 1
    params: dict = {
        "z": z,
        "x": x,
        "y": y,
        "class_id": query.class_id,
        "source": query.source,
        "x_min": x_min,
        "x_max": x_max,
        "y_min": y_min,
        "y_max": y_max,
        "size": CELL * 2**shift,
    }
    where = period_clause(query, params)
    sql = f"""
        WITH cells AS (
            SELECT h.x >> {shift} AS cx, h.y >> {shift} AS cy, sum(h.cases)::int AS n
            FROM {HEAT} h
            WHERE h.class_id = %(class_id)s AND h.source = %(source)s AND {where}
              AND h.x BETWEEN %(x_min)s AND %(x_max)s AND h.y BETWEEN %(y_min)s AND %(y_max)s
            GROUP BY 1, 2
        ),
        mvt AS (
            SELECT n, ST_AsMVTGeom(
                       ST_MakeEnvelope(cx * %(size)s, cy * %(size)s, (cx + 1) * %(size)s, (cy + 1) * %(size)s, 3857),
                       ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {EXTENT}, 0, true) AS geom
            FROM cells WHERE n > 0
        )
        SELECT ST_AsMVT(mvt.*, '{LAYER}', {EXTENT}, 'geom') FROM mvt"""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


def cached_heat_tile(z: int, x: int, y: int, query: HotspotQuery) -> bytes:
    from evaluation.rollups import version

    seconds = settings.TILE_CACHE_SECONDS
    if query.end >= timezone.localdate() - timedelta(days=1):
        seconds = min(seconds, LIVE_CACHE_SECONDS)
    if not seconds:
        return heat_tile(z, x, y, query)
    key = (
        f"heattile:{version()}:{z}:{x}:{y}:{query.start.isoformat()}:{query.end.isoformat()}:"
        f"{query.class_id}:{query.source}"
    )
    body = cache.get(key)
    if body is None:
        body = heat_tile(z, x, y, query)
        cache.set(key, body, seconds)
    return body
