"""Import unit grids (万米单元网格) from GeoJSON or Shapefile.

Columns (attribute names; Shapefile names are cut to 10 characters, so short aliases are accepted):
``code`` (15 digits, required), ``name``, ``valid_from`` (default today), and — only needed when the community is not
known yet — ``comm_name`` (``community_name``), ``street_name``, ``dist_name`` (``district_name``). The community,
street and district codes are the first 12, 9 and 6 digits of the grid code. Geometry: Polygon or MultiPolygon in
any spatial reference the file declares (transformed to WGS84).

A grid whose code is already current is re-drawn when its geometry differs: the old version ends on the new
``valid_from`` and the new one starts there (history is kept: cases keep the code valid when they were reported).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.gis.geos import MultiPolygon
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg2.extras import execute_values

from core.spreadsheets import check_upload
from core.spreadsheets.report import ImportReport
from grids.choices import RegionLevel
from grids.loaders.common import as_text, parse_date, pick, read_features
from grids.models import Region, UnitGrid
from grids.validators import validate_grid_code

# Two grids may share edges but not area: anything above ~1 m² (in square degrees near 30°N) is an overlap.
OVERLAP_TOLERANCE_DEG2 = 1e-10
NAME_LENGTH = UnitGrid._meta.get_field("name").max_length  # regions have the same limit


class _Rollback(Exception):
    """Raised inside the import transaction to undo it (all-or-nothing, dry runs)."""


@dataclass
class _GridRow:
    row: int
    code: str
    name: str
    valid_from: date
    geometry: MultiPolygon
    names: dict[str, str]


def _validate_row(number: int, props: dict, geometry, problem: str, today: date, report: ImportReport):
    code = as_text(pick(props, "code", "grid_code"))
    if not code:
        report.error(number, "code", _("missing grid code"))
        return None
    community_code = as_text(pick(props, "community_code", "comm_code"))
    try:
        validate_grid_code(code, community_code or code[:12])
    except ValidationError as exc:
        report.error(number, "code", " ".join(exc.messages))
        return None
    try:
        valid_from = parse_date(pick(props, "valid_from", "validfrom")) or today
    except ValueError as exc:
        report.error(number, "valid_from", str(exc))
        return None
    if geometry is None:
        report.error(number, "geometry", problem or _("missing geometry"))
        return None
    if geometry.geom_type == "Polygon":
        geometry = MultiPolygon(geometry, srid=4326)
    if geometry.geom_type != "MultiPolygon":
        report.error(number, "geometry", _("a grid must be a polygon, not %(type)s") % {"type": geometry.geom_type})
        return None
    if geometry.empty:
        report.error(number, "geometry", _("missing geometry"))
        return None
    if not geometry.valid:
        report.error(number, "geometry", _("invalid polygon: %(reason)s") % {"reason": geometry.valid_reason})
        return None
    name = as_text(pick(props, "name", "grid_name"))
    names = {
        "community": as_text(pick(props, "comm_name", "community_name", "community")),
        "street": as_text(pick(props, "street_name", "street_nam", "street")),
        "district": as_text(pick(props, "dist_name", "district_name", "district_n", "district")),
    }
    too_long = [(column, value) for column, value in [("name", name), *names.items()] if len(value) > NAME_LENGTH]
    for column, _value in too_long:
        report.error(number, column, _("longer than %(limit)s characters") % {"limit": NAME_LENGTH})
    if too_long:
        return None
    return _GridRow(number, code, name, valid_from, geometry, names)


def _check_regions(rows: list[_GridRow], report: ImportReport) -> None:
    known = set(Region.objects.values_list("code", flat=True))
    for row in rows:
        chain = [
            (row.code[:6], "district", "dist_name"),
            (row.code[:9], "street", "street_name"),
            (row.code[:12], "community", "comm_name"),
        ]
        for code, level, column in chain:
            if code not in known and not row.names[level]:
                report.error(
                    row.row,
                    column,
                    _("unknown %(level)s %(code)s: give its name to create it") % {"level": level, "code": code},
                )
                break


def _stage(cursor, rows: list[_GridRow]) -> None:
    # ON COMMIT DROP is not enough when the import runs inside an outer transaction (tests, a caller's atomic).
    cursor.execute("DROP TABLE IF EXISTS grid_import")
    cursor.execute(
        "CREATE TEMP TABLE grid_import (row_no integer PRIMARY KEY, code varchar(15), "
        "geometry geometry(MultiPolygon, 4326)) ON COMMIT DROP"
    )
    execute_values(
        cursor.cursor,
        "INSERT INTO grid_import (row_no, code, geometry) VALUES %s",
        [(r.row, r.code, r.geometry.hexewkb.decode()) for r in rows],
        template="(%s, %s, ST_GeomFromEWKB(decode(%s, 'hex')))",
        page_size=500,
    )
    cursor.execute("CREATE INDEX ON grid_import USING gist (geometry)")
    cursor.execute("ANALYZE grid_import")


# Interiors intersect (not just edges), by more than the tolerance: shared edges of neighbours are fine.
_SHARE_AREA = "ST_Relate({a}, {b}, 'T********') AND ST_Area(ST_Intersection({a}, {b})) > %(tolerance)s"


def _check_overlaps(cursor, report: ImportReport) -> None:
    """No two grids of the file, and no grid of the file with a current grid of another code, may share area.
    Both checks are one indexed join each, so a file of thousands of grids costs no more than a few queries."""
    params = {"tolerance": OVERLAP_TOLERANCE_DEG2}
    cursor.execute(
        f"""
        SELECT b.row_no, a.code, a.row_no FROM grid_import a JOIN grid_import b
            ON a.row_no < b.row_no AND a.code <> b.code AND a.geometry && b.geometry
           AND {_SHARE_AREA.format(a="a.geometry", b="b.geometry")}
        ORDER BY b.row_no, a.row_no
        """,
        params,
    )
    for row, code, other_row in cursor.fetchall():
        report.error(row, "geometry", _("overlaps grid %(code)s of row %(row)s") % {"code": code, "row": other_row})
    cursor.execute(
        f"""
        SELECT i.row_no, string_agg(g.code, ', ' ORDER BY g.code) FROM grid_import i
        JOIN grids_unitgrid g ON g.valid_to IS NULL AND g.geometry && i.geometry
           AND NOT EXISTS (SELECT 1 FROM grid_import same WHERE same.code = g.code)
           AND {_SHARE_AREA.format(a="g.geometry", b="i.geometry")}
        GROUP BY i.row_no ORDER BY i.row_no
        """,
        params,
    )
    for row, codes in cursor.fetchall():
        report.error(row, "geometry", _("overlaps current grid %(codes)s") % {"codes": codes})


def _ensure_regions(rows: list[_GridRow]) -> dict[str, Region]:
    regions = {r.code: r for r in Region.objects.all()}
    for row in rows:
        parent = None
        for code, level, key in (
            (row.code[:6], RegionLevel.DISTRICT, "district"),
            (row.code[:9], RegionLevel.STREET, "street"),
            (row.code[:12], RegionLevel.COMMUNITY, "community"),
        ):
            if code not in regions:
                region = Region(code=code, name=row.names[key], level=level, parent=parent)
                region.full_clean()
                region.save()
                regions[code] = region
            parent = regions[code]
    return regions


def _refresh_boundaries(community_codes: set[str]) -> None:
    """Region boundaries are the union of their current grids, upwards from the touched communities."""
    codes = sorted(community_codes | {c[:9] for c in community_codes} | {c[:6] for c in community_codes})
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE grids_region r SET boundary = u.geom FROM (
                SELECT r2.id, ST_Multi(ST_Union(g.geometry)) AS geom
                FROM grids_region r2 JOIN grids_unitgrid g ON g.code LIKE r2.code || '%%' AND g.valid_to IS NULL
                WHERE r2.code = ANY(%s) GROUP BY r2.id
            ) u WHERE r.id = u.id
            """,
            [codes],
        )


def import_grids(path: str, *, skip_invalid: bool = False, dry_run: bool = False) -> ImportReport:
    """Import the grids of *path*; see the module docstring for the columns and the re-draw rule."""
    from grids.spatial import invalidate_grid_index

    report = ImportReport("grids", dry_run=dry_run)
    today = timezone.localdate()
    try:
        check_upload(path)  # size, and a zipped Shapefile's unpacked size, before GDAL opens it
        features = read_features(path)
    except Exception as exc:  # GDAL cannot read it: the whole file is the problem
        report.error(0, "file", _("cannot read the file: %(error)s") % {"error": exc})
        return report
    report.rows = len(features)
    rows: list[_GridRow] = []
    seen: dict[str, int] = {}
    for number, props, geometry, problem in features:
        row = _validate_row(number, props, geometry, problem, today, report)
        if row is None:
            continue
        if row.code in seen:
            report.error(
                number, "code", _("grid %(code)s already in row %(row)s") % {"code": row.code, "row": seen[row.code]}
            )
            continue
        seen[row.code] = number
        rows.append(row)
    current = {g.code: g for g in UnitGrid.objects.filter(valid_to__isnull=True, code__in=list(seen))}
    for row in rows:
        old = current.get(row.code)
        if old and not old.geometry.equals_exact(row.geometry, 1e-9) and row.valid_from <= old.valid_from:
            report.error(
                row.row,
                "valid_from",
                _("a re-drawn grid must start after %(day)s, when the current version started")
                % {"day": old.valid_from.isoformat()},
            )
    _check_regions(rows, report)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                checked = [r for r in rows if r.row not in report.bad_rows]
                if checked:
                    _stage(cursor, checked)
                    _check_overlaps(cursor, report)
            good = [r for r in rows if r.row not in report.bad_rows]
            if report.errors and not skip_invalid:
                report.skipped = report.rows  # all-or-nothing: one bad row stops the file
                raise _Rollback
            report.skipped = report.rows - len(good)
            if dry_run or not good:
                raise _Rollback
            _write(good, current, report)
    except _Rollback:
        return report
    invalidate_grid_index()
    from grids.basemap.tiles import changed as base_map_changed

    base_map_changed()  # the grid outlines are drawn in the base tiles
    return report


def _write(good: list[_GridRow], current: dict[str, UnitGrid], report: ImportReport) -> None:
    """Create new grids, re-draw changed ones (the old version ends where the new one starts), re-grid components."""
    from grids.spatial import regrid_components

    moved = False
    regions = _ensure_regions(good)
    for row in good:
        old = current.get(row.code)
        community = regions[row.code[:12]]
        if old is None:
            UnitGrid.objects.create(
                code=row.code, name=row.name, community=community, geometry=row.geometry, valid_from=row.valid_from
            )
            report.created += 1
            moved = True
        elif old.geometry.equals_exact(row.geometry, 1e-9):
            if row.name and row.name != old.name:
                old.name = row.name
                old.save(update_fields=["name"])
                report.updated += 1
            else:
                report.unchanged += 1
        else:
            old.valid_to = row.valid_from
            old.save(update_fields=["valid_to"])
            UnitGrid.objects.create(
                code=row.code,
                name=row.name or old.name,
                community=community,
                geometry=row.geometry,
                valid_from=row.valid_from,
            )
            report.updated += 1
            moved = True
    _refresh_boundaries({r.code[:12] for r in good})
    if moved:
        regrid_components()
    report.written = True
