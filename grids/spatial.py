"""Spatial services of the base map (空间服务): where a point is, what is near it. Every layer above uses these.

Contract (other layers rely on these names):

- ``locate_point(lng, lat, at=None) -> GridLocation``: the unit grid valid at ``at`` (a date or datetime; default:
  today in the project time zone) covering the point, with its community, street and district. A point on the shared
  edge of two grids goes to the lower grid code. Raises ``InvalidCoordinates`` (a ``ValueError``) for a non-finite or
  out-of-range longitude/latitude and ``OutsideManagedArea`` (a ``ValueError`` whose message names the point) when no
  grid covers it. One indexed query, or none: see "Speed" below.
- ``locate_many(points, at=None) -> list[GridLocation | None]``: the same for many ``(lng, lat)`` pairs in one query
  (importers); ``None`` where a point is outside the managed area.
- ``GridLocation``: frozen dataclass with ``grid_id``, ``grid_code``, ``grid_name``, ``community_code``,
  ``community_name``, ``street_code``, ``street_name``, ``district_code``, ``district_name``.
- ``components_near(lng, lat, metres, **filters) -> QuerySet[Component]``: components whose ``location`` lies within
  ``metres`` (on the spheroid) of the point, nearest first, annotated with ``distance_m``. ``filters`` are ORM
  lookups (``status="damaged"``, ``minor_class__code="0101"``).
- ``components_in_bbox(bbox, **filters) -> QuerySet[Component]``: components whose ``location`` is in the box
  ``(min_lng, min_lat, max_lng, max_lat)``.
- ``regrid_components(queryset=None) -> int``: set every component's ``grid`` to the current unit grid covering its
  ``location`` (``NULL`` outside), in one set-based UPDATE; returns the number of rows changed.
- ``parse_bbox(text) -> BBox``: ``"minlng,minlat,maxlng,maxlat"`` → tuple, ``ValueError`` naming the problem.
- ``grids_geojson(queryset=None, bbox=None, at=None) -> str``: current grids as a simplified GeoJSON
  FeatureCollection, made in PostGIS.
- ``geodesic_area_m2(geometry) -> float``.
- ``invalidate_grid_index()``: drop this process's in-memory grid index now (other processes notice within
  ``GRID_INDEX_CHECK_SECONDS``).

Speed. A database round trip costs 70–100 µs on our machines even for ``SELECT 1``, so "20,000 look-ups a second"
cannot be one query each. Outside a transaction, ``locate_point`` for today's grids answers from an in-process index
of the current grids (bucketed bounding boxes + point-in-polygon in Python, region chain resolved at load time), and
checks at most every ``GRID_INDEX_CHECK_SECONDS`` (default 1 s) whether the grid or region tables changed (a
fingerprint of row versions, xmin and ctid, so raw SQL imports are noticed too). Inside a transaction (``atomic``),
or for a past date, it runs the one indexed query instead, so a transaction always sees its own uncommitted grids.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

BBox = tuple[float, float, float, float]

# Simplification tolerance for grid outlines sent to the map (degrees of the stored SRID 4326 data; ~1 m here).
# It is a display tolerance chosen by eye, not a distance computation.
GRID_SIMPLIFY_TOLERANCE = 0.00001
GEOJSON_DECIMALS = 6  # ~0.1 m: finer than any survey of a grid boundary


class InvalidCoordinates(ValueError):
    """Longitude/latitude that is not a finite number in range."""


class OutsideManagedArea(ValueError):
    """No current unit grid covers the point (不在管理范围内)."""

    def __init__(self, lng: float, lat: float) -> None:
        self.lng, self.lat = lng, lat
        super().__init__(f"The point ({lng:.6f}, {lat:.6f}) is outside the managed area: no unit grid contains it.")


@dataclass(frozen=True, slots=True)
class GridLocation:
    """A point's place in the administrative chain: unit grid → community → street → district."""

    grid_id: int
    grid_code: str
    grid_name: str
    community_code: str
    community_name: str
    street_code: str
    street_name: str
    district_code: str
    district_name: str


def validate_lng_lat(lng: object, lat: object) -> tuple[float, float]:
    """Both as floats, or ``InvalidCoordinates`` naming the bad one. Accepts numbers and numeric strings."""
    values = []
    for name, value, limit in (("lng", lng, 180.0), ("lat", lat, 90.0)):
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InvalidCoordinates(f"{name} must be a number, not {value!r}.") from None
        if not math.isfinite(number) or not -limit <= number <= limit:
            raise InvalidCoordinates(f"{name} must be between {-limit:g} and {limit:g}, not {value!r}.")
        values.append(number)
    return values[0], values[1]


def parse_bbox(text: str) -> BBox:
    """``"minlng,minlat,maxlng,maxlat"`` → floats; ``ValueError`` saying what is wrong with it."""
    parts = [p.strip() for p in str(text).split(",")]
    if len(parts) != 4:
        raise ValueError("bbox must be four numbers: minlng,minlat,maxlng,maxlat.")
    try:
        min_lng, min_lat = validate_lng_lat(parts[0], parts[1])
        max_lng, max_lat = validate_lng_lat(parts[2], parts[3])
    except InvalidCoordinates as exc:
        raise ValueError(f"bbox: {exc}") from None
    if min_lng >= max_lng or min_lat >= max_lat:
        raise ValueError("bbox: the minimum must be below the maximum (minlng,minlat,maxlng,maxlat).")
    return min_lng, min_lat, max_lng, max_lat


def _as_day(at: date | datetime | None) -> date:
    if at is None:
        return timezone.localdate()
    if isinstance(at, datetime):
        return timezone.localdate(at) if timezone.is_aware(at) else at.date()
    return at


# ---- the one indexed query --------------------------------------------------------------------------------------

# The GiST index on grids_unitgrid.geometry finds the candidates; ST_Intersects (not ST_Contains) so a point on a
# shared edge still has a grid, and ORDER BY code makes that choice the same every time.
_CURRENT = "g.valid_from <= %(day)s AND (g.valid_to IS NULL OR g.valid_to > %(day)s)"
_CHAIN_COLUMNS = "g.id, g.code, g.name, c.code, c.name, s.code, s.name, d.code, d.name"
_CHAIN_JOINS = """
    JOIN grids_region c ON c.id = g.community_id
    LEFT JOIN grids_region s ON s.id = c.parent_id
    LEFT JOIN grids_region d ON d.id = s.parent_id"""
_LOCATE_SQL = f"""
    SELECT {_CHAIN_COLUMNS} FROM grids_unitgrid g {_CHAIN_JOINS}
    WHERE ST_Intersects(g.geometry, ST_SetSRID(ST_MakePoint(%(lng)s, %(lat)s), 4326)) AND {_CURRENT}
    ORDER BY g.code LIMIT 1"""
_LOCATE_MANY_SQL = f"""
    SELECT p.n, hit.* FROM unnest(%(lngs)s::float8[], %(lats)s::float8[]) WITH ORDINALITY AS p(lng, lat, n)
    LEFT JOIN LATERAL (
        SELECT {_CHAIN_COLUMNS} FROM grids_unitgrid g {_CHAIN_JOINS}
        WHERE ST_Intersects(g.geometry, ST_SetSRID(ST_MakePoint(p.lng, p.lat), 4326)) AND {_CURRENT}
        ORDER BY g.code LIMIT 1
    ) hit ON true
    ORDER BY p.n"""


def _location(row: Sequence) -> GridLocation:
    return GridLocation(*(v if v is not None or i == 0 else "" for i, v in enumerate(row)))


_PREPARED_NAME = "grids_locate_point"
_PREPARE_SQL = f"PREPARE {_PREPARED_NAME}(float8, float8, date) AS " + _LOCATE_SQL.replace("%(lng)s", "$1").replace(
    "%(lat)s", "$2"
).replace("%(day)s", "$3")


def _locate_in_database(lng: float, lat: float, day: date) -> GridLocation | None:
    # A server-side prepared statement: planning a PostGIS query costs more than running it. Prepared statements
    # live as long as the session (a rollback keeps them), so remember which raw connection has it.
    # Behind PgBouncer in transaction mode (DB_POOLER) the next statement may reach another server session, which
    # never saw the PREPARE: plain parameterised SQL there.
    if settings.DB_POOLER:
        with connection.cursor() as cursor:
            cursor.execute(_LOCATE_SQL, {"lng": lng, "lat": lat, "day": day})
            row = cursor.fetchone()
        return _location(row) if row else None
    with connection.cursor() as cursor:
        if getattr(connection, "_grids_locate_prepared_on", None) is not connection.connection:
            cursor.execute(_PREPARE_SQL)
            connection._grids_locate_prepared_on = connection.connection
        cursor.execute(f"EXECUTE {_PREPARED_NAME}(%s, %s, %s)", [lng, lat, day])
        row = cursor.fetchone()
    return _location(row) if row else None


# ---- the in-process index of today's grids ----------------------------------------------------------------------

_ROW_VERSIONS = "count(*), coalesce(sum(hashtext(xmin::text || ctid::text)::bigint), 0)"
_FINGERPRINT_SQL = f"""
    SELECT * FROM (SELECT {_ROW_VERSIONS} FROM grids_unitgrid) g, (SELECT {_ROW_VERSIONS} FROM grids_region) r"""
_LOAD_SQL = f"""
    SELECT {_CHAIN_COLUMNS}, ST_AsGeoJSON(g.geometry) FROM grids_unitgrid g {_CHAIN_JOINS}
    WHERE {_CURRENT} ORDER BY g.code"""

Ring = tuple[tuple[float, ...], tuple[float, ...]]  # xs, ys of a closed ring


def _ring_covers(ring: Ring, x: float, y: float) -> int:
    """1 inside, 2 on the boundary, 0 outside (ray casting, with an exact on-edge test first)."""
    xs, ys = ring
    inside = False
    j = len(xs) - 1
    for i in range(len(xs)):
        xi, yi, xj, yj = xs[i], ys[i], xs[j], ys[j]
        if (
            min(xi, xj) <= x <= max(xi, xj)
            and min(yi, yj) <= y <= max(yi, yj)
            and (xj - xi) * (y - yi) == (yj - yi) * (x - xi)
        ):
            return 2
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return 1 if inside else 0


@dataclass(frozen=True, slots=True)
class _IndexedGrid:
    code: str
    min_x: float
    min_y: float
    max_x: float
    max_y: float
    polygons: tuple[tuple[Ring, ...], ...]  # each: shell, then holes
    location: GridLocation

    def covers(self, x: float, y: float) -> bool:
        if not (self.min_x <= x <= self.max_x and self.min_y <= y <= self.max_y):
            return False
        for rings in self.polygons:
            if _ring_covers(rings[0], x, y) and not any(_ring_covers(h, x, y) == 1 for h in rings[1:]):
                return True
        return False


class _GridIndex:
    """Today's grids bucketed by bounding box on a regular lattice of about one grid per cell."""

    def __init__(self, day: date, fingerprint: tuple, grids: list[_IndexedGrid]) -> None:
        self.day = day
        self.fingerprint = fingerprint
        self.size = len(grids)
        if grids:
            mean_w = sum(g.max_x - g.min_x for g in grids) / len(grids)
            mean_h = sum(g.max_y - g.min_y for g in grids) / len(grids)
            self.cell = max(mean_w, mean_h, 1e-9)
        else:
            self.cell = 1.0
        self.buckets: dict[tuple[int, int], list[_IndexedGrid]] = {}
        for grid in grids:  # already in code order, so each bucket is too
            for bx in range(math.floor(grid.min_x / self.cell), math.floor(grid.max_x / self.cell) + 1):
                for by in range(math.floor(grid.min_y / self.cell), math.floor(grid.max_y / self.cell) + 1):
                    self.buckets.setdefault((bx, by), []).append(grid)

    def find(self, x: float, y: float) -> GridLocation | None:
        for grid in self.buckets.get((math.floor(x / self.cell), math.floor(y / self.cell)), ()):
            if grid.covers(x, y):
                return grid.location
        return None


def _polygons_from_geojson(text: str) -> tuple[tuple[Ring, ...], ...]:
    shape = json.loads(text)
    polygons = shape["coordinates"] if shape["type"] == "MultiPolygon" else [shape["coordinates"]]
    return tuple(
        tuple((tuple(p[0] for p in ring), tuple(p[1] for p in ring)) for ring in polygon) for polygon in polygons
    )


def _fingerprint() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(_FINGERPRINT_SQL)
        return tuple(cursor.fetchone())


def _load_index(day: date) -> _GridIndex:
    fingerprint = _fingerprint()
    grids = []
    with connection.cursor() as cursor:
        cursor.execute(_LOAD_SQL, {"day": day})
        for row in cursor.fetchall():
            polygons = _polygons_from_geojson(row[9])
            xs = [x for poly in polygons for x in poly[0][0]]
            ys = [y for poly in polygons for y in poly[0][1]]
            grids.append(_IndexedGrid(row[1], min(xs), min(ys), max(xs), max(ys), polygons, _location(row[:9])))
    return _GridIndex(day, fingerprint, grids)


class _IndexHolder(threading.local):
    """Per thread, like the database connection the index is checked against."""

    index: _GridIndex | None = None
    checked_at: float = 0.0


_holder = _IndexHolder()


def invalidate_grid_index() -> None:
    """Forget this thread's grid index; the next look-up reloads it."""
    _holder.index = None


def _current_index(day: date) -> _GridIndex:
    now = time.monotonic()
    index = _holder.index
    interval = float(getattr(settings, "GRID_INDEX_CHECK_SECONDS", 1.0))
    if index is not None and index.day == day and now - _holder.checked_at < interval:
        return index
    if index is None or index.day != day or _fingerprint() != index.fingerprint:
        index = _holder.index = _load_index(day)
    _holder.checked_at = now
    return index


# ---- public services --------------------------------------------------------------------------------------------


def locate_point(lng: float, lat: float, at: date | datetime | None = None) -> GridLocation:
    """The unit grid (and its community, street, district) covering the point on ``at`` (default today)."""
    lng, lat = validate_lng_lat(lng, lat)
    day = _as_day(at)
    if connection.in_atomic_block or day != timezone.localdate():
        found = _locate_in_database(lng, lat, day)
    else:
        found = _current_index(day).find(lng, lat)
    if found is None:
        raise OutsideManagedArea(lng, lat)
    return found


def locate_many(points: Iterable[tuple[float, float]], at: date | datetime | None = None) -> list[GridLocation | None]:
    """``locate_point`` for many ``(lng, lat)`` pairs in one query; ``None`` for points outside the managed area.
    Raises ``InvalidCoordinates`` naming the first bad pair (by position) before querying anything."""
    lngs, lats = [], []
    for n, (lng, lat) in enumerate(points, start=1):
        try:
            x, y = validate_lng_lat(lng, lat)
        except InvalidCoordinates as exc:
            raise InvalidCoordinates(f"point {n}: {exc}") from None
        lngs.append(x)
        lats.append(y)
    if not lngs:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_LOCATE_MANY_SQL, {"lngs": lngs, "lats": lats, "day": _as_day(at)})
        return [_location(row[1:]) if row[1] is not None else None for row in cursor.fetchall()]


def components_near(lng: float, lat: float, metres: float, **filters) -> QuerySet:
    """Components within ``metres`` of the point, nearest first, each annotated with ``distance_m``.

    Distances are on the spheroid (geography). The GiST index on ``location`` is used through the bounding box of a
    geography buffer that PostGIS computes, so no metres are turned into degrees here."""
    from grids.models import Component

    lng, lat = validate_lng_lat(lng, lat)
    metres = float(metres)
    if not math.isfinite(metres) or metres < 0:
        raise ValueError(f"metres must be a non-negative number, not {metres!r}.")
    point = "ST_SetSRID(ST_MakePoint(%s, %s), 4326)"
    # The buffer's envelope, grown by 1 % + 1 m so the polygonal buffer never clips the true circle.
    near = RawSQL(
        f'"grids_component"."location" && ST_Envelope(ST_Buffer({point}::geography, %s * 1.01 + 1)::geometry)'
        f' AND ST_DWithin("grids_component"."location"::geography, {point}::geography, %s)',
        (lng, lat, metres, lng, lat, metres),
        output_field=BooleanField(),
    )
    distance = RawSQL(
        f'ST_Distance("grids_component"."location"::geography, {point}::geography)', (lng, lat), FloatField()
    )
    return Component.objects.filter(near, **filters).annotate(distance_m=distance).order_by("distance_m", "id")


def components_in_bbox(bbox: BBox, **filters) -> QuerySet:
    """Components whose ``location`` lies in ``(min_lng, min_lat, max_lng, max_lat)`` (GiST index on location)."""
    from django.contrib.gis.geos import Polygon

    from grids.models import Component

    box = Polygon.from_bbox(bbox)
    box.srid = 4326
    return Component.objects.filter(location__intersects=box, **filters)


def regrid_components(queryset: QuerySet | None = None) -> int:
    """Give each component (all, or those in ``queryset``) the current unit grid covering its location, or none.

    One UPDATE … FROM. The join starts from the grids valid today and probes the components' GiST index, so PostGIS
    prepares each grid polygon once for all its points; a point on a shared edge keeps the lowest grid code (the
    smallest rank by code, found with a hash aggregate rather than a sort of every point); only rows whose grid
    actually changes are written. Returns the number of rows changed."""
    scope, params = "true", []
    if queryset is not None:
        sql, query_params = queryset.values("pk").query.sql_with_params()
        scope, params = f"c.id IN ({sql})", list(query_params)
    day = timezone.localdate()
    statement = f"""
        WITH cur AS MATERIALIZED (
            SELECT g.id, g.geometry, row_number() OVER (ORDER BY g.code) AS rnk FROM grids_unitgrid g
            WHERE g.valid_from <= %s AND (g.valid_to IS NULL OR g.valid_to > %s)
        ),
        hit AS (
            SELECT p.id, min(cur.rnk) AS rnk
            FROM cur CROSS JOIN LATERAL (
                SELECT c.id FROM grids_component c WHERE ST_Intersects(cur.geometry, c.location) AND {scope}
            ) p
            GROUP BY p.id
        ),
        target AS (
            SELECT c.id, cur.id AS grid_id FROM grids_component c
            LEFT JOIN hit ON hit.id = c.id LEFT JOIN cur ON cur.rnk = hit.rnk
            WHERE {scope} AND c.grid_id IS DISTINCT FROM cur.id
        )
        UPDATE grids_component AS u SET grid_id = target.grid_id FROM target WHERE u.id = target.id"""
    with transaction.atomic(), connection.cursor() as cursor:
        # The aggregate over every point wants more than the default 4 MB, and JIT costs more than it saves here.
        cursor.execute("SET LOCAL work_mem = '64MB'; SET LOCAL jit = off")
        cursor.execute(statement, [day, day, *params, *params])
        return cursor.rowcount


def grids_geojson(queryset: QuerySet | None = None, bbox: BBox | None = None, at: date | datetime | None = None) -> str:
    """Unit grids valid on ``at`` (default today), optionally only those in ``queryset`` and overlapping ``bbox``, as
    a GeoJSON FeatureCollection text.

    Built by PostGIS in one query: outlines simplified with ST_SimplifyPreserveTopology and coordinates rounded to
    ``GEOJSON_DECIMALS``, so the whole city stays well under 500 KB."""
    day = _as_day(at)
    where, params = "g.valid_from <= %s AND (g.valid_to IS NULL OR g.valid_to > %s)", [day, day]
    if bbox is not None:
        where += " AND g.geometry && ST_MakeEnvelope(%s, %s, %s, %s, 4326)"
        params += list(bbox)
    if queryset is not None:
        sql, query_params = queryset.values("pk").query.sql_with_params()
        where += f" AND g.id IN ({sql})"
        params += list(query_params)
    statement = f"""
        SELECT json_build_object(
            'type', 'FeatureCollection', 'features', coalesce(json_agg(feature ORDER BY code), '[]'))
        FROM (
            SELECT g.code, json_build_object(
                'type', 'Feature', 'id', g.id,
                'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(g.geometry, {GRID_SIMPLIFY_TOLERANCE}),
                                         {GEOJSON_DECIMALS})::json,
                'properties', json_build_object(
                    'code', g.code, 'name', g.name, 'area_m2', round(g.area_m2::numeric, 1),
                    'community', json_build_object('code', c.code, 'name', c.name))
            ) AS feature
            FROM grids_unitgrid g JOIN grids_region c ON c.id = g.community_id
            WHERE {where}
        ) AS rows"""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        value = cursor.fetchone()[0]
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def geodesic_area_m2(geometry: GEOSGeometry) -> float:
    """Area in square metres on the WGS84 spheroid (PostGIS geography), for a geometry in SRID 4326."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Area(ST_GeomFromEWKB(%s)::geography)", [bytes(geometry.ewkb)])
        return float(cursor.fetchone()[0] or 0.0)


def cluster_components_by_location() -> None:
    """Rewrite the component table in the order of its location index, then refresh the planner's statistics.

    A map tile reads every component inside it; stored in spatial order those rows sit on a few hundred pages instead
    of tens of thousands, which is what keeps a dense zoom-14 tile within its 50 ms. Takes an exclusive lock while it
    rewrites (seconds for 320,000 rows): run it after bulk loads, not while the console is busy."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'grids_component' "
            "AND indexdef ILIKE '%%USING gist (location)%%'"
        )
        row = cursor.fetchone()
        if row is None:
            raise RuntimeError("the GiST index on grids_component.location is missing")
        cursor.execute(f"CLUSTER grids_component USING {connection.ops.quote_name(row[0])}")
        cursor.execute("ANALYZE grids_component")
