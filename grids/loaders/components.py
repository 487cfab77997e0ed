"""Import components (管理部件) from GeoJSON, CSV or Excel (.xlsx).

Columns (Chinese headers of common inventories are accepted too): ``identifier`` (部件标识码, required),
``class_code`` (小类代码, required), ``standard`` (default: the default classification standard), ``name``, ``status``
(code or Chinese label: 完好/破损/丢失/废弃/移除/占用), ``supervising_department`` / ``owner`` / ``maintainer`` (a
department's short code, unified social credit code or name), ``census_date``, ``changed_date``, ``data_source``
(实测/地形图/基础地理数据/其他), ``note``, and the position: ``lng`` + ``lat`` (CSV/Excel) or the feature geometry
(GeoJSON; lines and polygons are kept, their ``location`` is a point on them). Any other column goes into ``extra``.

Rows are checked in Python while they stream into a temporary table with COPY (the server ingests one chunk while
Python checks the next), assigned to their grids in one grid-first join (a point outside every current unit grid is
an error) and written with one ``INSERT … ON CONFLICT (identifier) DO UPDATE``, so re-importing updates by
identifier and never duplicates. Nothing is written unless every row is good, or ``skip_invalid`` is given.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from datetime import date

from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core.models import Department
from core.spreadsheets.report import ImportReport
from grids.choices import ClassKind, ComponentStatus, DataSource
from grids.loaders.common import as_text, parse_date
from grids.loaders.component_files import ALIASES, KNOWN_COLUMNS, Source, read_rows
from grids.models import ClassificationStandard, Component, MinorClass
from grids.validators import known_district_codes, validate_component_identifier

# The Chinese labels of the national standard, accepted whatever the translation catalogue says.
CHINESE_STATUS = {
    "完好": ComponentStatus.INTACT,
    "破损": ComponentStatus.DAMAGED,
    "丢失": ComponentStatus.LOST,
    "废弃": ComponentStatus.ABANDONED,
    "移除": ComponentStatus.REMOVED,
    "占用": ComponentStatus.OCCUPIED,
}
CHINESE_SOURCE = {
    "实测": DataSource.SURVEYED,
    "地形图": DataSource.TOPOGRAPHIC,
    "基础地理数据": DataSource.GEODATA,
    "其他": DataSource.OTHER,
}
TEXT_LIMITS = {
    "name": Component._meta.get_field("name").max_length,
    "note": Component._meta.get_field("note").max_length,
}
# A spreadsheet keeps numbers as doubles: above 2**53 the last digits of a 17-digit identifier are already gone.
EXACT_FLOAT_LIMIT = 2**53
CLASS_LENGTH_BY_IDENTIFIER = {17: 5, 16: 4}

STAGE_COLUMNS = (
    "row_no, identifier, minor_class_id, name, supervising_department_id, owner_id, maintainer_id, status, "
    "census_date, changed_date, data_source, note, surveyed, lng, lat, extra"
)
NULL = r"\N"
_to_json = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for all rows, not one per json.dumps
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class _Rollback(Exception):
    """Raised inside the import transaction to undo it (all-or-nothing, dry runs)."""


# ---- Checking rows -----------------------------------------------------------------------------------------------


class _Lookups:
    """Everything a row is checked against, loaded once per import, and memos of repeated cell values."""

    def __init__(self) -> None:
        default = ClassificationStandard.objects.filter(is_default=True).first()
        self.default_standard = default.code if default else ""
        self.classes: dict[tuple[str, str], int] = {
            (std, code): pk
            for pk, std, code in MinorClass.objects.filter(kind=ClassKind.COMPONENT).values_list(
                "pk", "standard__code", "code"
            )
        }
        self.departments: dict[str, int] = {}
        for pk, code, credit, name in Department.objects.values_list("pk", "code", "credit_code", "name"):
            for key in (code, credit, name):
                if key:
                    self.departments[key] = pk
        self.statuses = {**_choice_map(ComponentStatus), **CHINESE_STATUS}
        self.sources = {**_choice_map(DataSource), **CHINESE_SOURCE}
        self.districts = known_district_codes()
        self.dates: dict[object, date | str | None] = {}  # cell → date, or the error message

    def date(self, value: object) -> date | None:
        """Parse a date cell; inventories repeat a few survey dates thousands of times, so results are memoised."""
        key = value if isinstance(value, str | int | float | type(None)) else repr(value)
        if key not in self.dates:
            try:
                self.dates[key] = parse_date(value)
            except ValueError as exc:
                self.dates[key] = str(exc)
        found = self.dates[key]
        if isinstance(found, str):
            raise ValueError(found)
        return found


def _choice_map(choices) -> dict[str, str]:
    """Code values, and their labels in Chinese and English (files use labels whatever the importer's language)."""
    mapping = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value, label in choices.choices:
                mapping[value] = value
                mapping[str(label)] = value
                mapping[str(label).lower()] = value
    return mapping


def _department(value: object, column: str, lookups: _Lookups, number: int, report: ImportReport) -> int | None:
    text = as_text(value)
    if not text:
        return None
    found = lookups.departments.get(text)
    if found is None:
        report.error(number, column, _("unknown department %(value)s") % {"value": text})
    return found


def _position(row: dict, number: int, report: ImportReport) -> tuple[GEOSGeometry | None, float, float] | None:
    """(surveyed geometry, lng, lat): GeoJSON rows carry a geometry; CSV/Excel rows only coordinates, which become a
    point in PostGIS (building a GEOS object per row would cost more than the rest of the import)."""
    geometry = row.get("geometry")
    if geometry:
        try:
            geom = GEOSGeometry(json.dumps(geometry), srid=4326)
        except Exception:
            report.error(number, "geometry", _("unreadable geometry"))
            return None
        if geom.empty:
            report.error(number, "geometry", _("missing geometry"))
            return None
        if not geom.valid:
            report.error(number, "geometry", _("invalid geometry: %(reason)s") % {"reason": geom.valid_reason})
            return None
        location = geom if geom.geom_type == "Point" else geom.point_on_surface
        return geom, location.x, location.y
    lng, lat = row.get("lng"), row.get("lat")
    lng, lat = (None if v == "" else v for v in (lng, lat))
    if lng is None or lat is None:
        report.error(number, "lng" if lng is None else "lat", _("missing coordinates"))
        return None
    try:
        x, y = float(as_text(lng)), float(as_text(lat))
    except ValueError:
        report.error(number, "lng", _("coordinates must be numbers"))
        return None
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
        report.error(number, "lng", _("coordinates out of range"))
        return None
    return None, x, y


def _identifier_and_class(number: int, row: dict, report: ImportReport) -> tuple[str, str]:
    raw_identifier = row.get("identifier")
    raw_class = row.get("class_code")
    if isinstance(raw_identifier, float) and abs(raw_identifier) >= EXACT_FLOAT_LIMIT:
        report.error(
            number,
            "identifier",
            _("the identifier was stored as a number and lost its last digits: format the column as text"),
        )
        return "", as_text(raw_class)
    identifier, class_code = as_text(raw_identifier), as_text(raw_class)
    if isinstance(raw_class, int | float) and len(identifier) in CLASS_LENGTH_BY_IDENTIFIER:
        # A numeric spreadsheet cell dropped the class code's leading zero (01001 → 1001).
        class_code = class_code.zfill(CLASS_LENGTH_BY_IDENTIFIER[len(identifier)])
    if not identifier:
        report.error(number, "identifier", _("missing identifier"))
    if not class_code:
        report.error(number, "class_code", _("missing class code"))
    return identifier, class_code


def _check_row(number: int, row: dict, lookups: _Lookups, report: ImportReport) -> tuple[str, str] | None:
    """(identifier, COPY line of the row), or None after reporting each of its problems."""
    errors_before = len(report.errors)
    identifier, class_code = _identifier_and_class(number, row, report)
    standard = as_text(row.get("standard")) or lookups.default_standard
    class_id = lookups.classes.get((standard, class_code))
    if class_code and class_id is None:
        report.error(
            number,
            "class_code",
            _("unknown component class %(code)s in standard %(standard)s") % {"code": class_code, "standard": standard},
        )
    if identifier and class_code:
        try:
            validate_component_identifier(identifier, class_code, lookups.districts)
        except ValidationError as exc:
            report.error(number, "identifier", " ".join(exc.messages))
    status_text = as_text(row.get("status")) or ComponentStatus.INTACT
    status = lookups.statuses.get(status_text)
    if status is None:
        report.error(number, "status", _("unknown status %(value)s") % {"value": status_text})
    source_text = as_text(row.get("data_source")) or DataSource.SURVEYED
    source = lookups.sources.get(source_text)
    if source is None:
        report.error(number, "data_source", _("unknown data source %(value)s") % {"value": source_text})
    departments = [
        _department(row.get(column), column, lookups, number, report)
        for column in ("supervising_department", "owner", "maintainer")
    ]
    dates: list[date | None] = []
    for column in ("census_date", "changed_date"):
        try:
            dates.append(lookups.date(row.get(column)))
        except ValueError as exc:
            report.error(number, column, str(exc))
    texts = {}
    for column, limit in TEXT_LIMITS.items():
        texts[column] = as_text(row.get(column))
        if len(texts[column]) > limit:
            report.error(number, column, _("longer than %(limit)s characters") % {"limit": limit})
    position = _position(row, number, report)
    if len(report.errors) > errors_before or position is None:
        return None
    geometry, lng, lat = position
    extra = {k: as_text(v) for k, v in row.items() if k and k not in KNOWN_COLUMNS and v not in (None, "")}
    # The COPY line is built here, knowing each value's type: a generic formatter per cell costs more than the check.
    line = "\t".join(
        (
            str(number),
            identifier,  # digits only (validated)
            str(class_id),
            _escape(texts["name"]),
            *(NULL if pk is None else str(pk) for pk in departments),
            status,
            *(NULL if day is None else day.isoformat() for day in dates),
            source,
            _escape(texts["note"]),
            NULL if geometry is None else geometry.hexewkb.decode(),
            repr(lng),
            repr(lat),
            _escape(_to_json(extra)) if extra else NULL,
        )
    )
    return identifier, line + "\n"


# ---- Staging and writing -----------------------------------------------------------------------------------------


def _escape(text: str) -> str:
    """Text as a COPY field: only the rare value with a backslash, tab or line break needs rewriting."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_COPY_ESCAPES)
    return text


class _LineStream:
    """A file-like ``read()`` over generated COPY lines, so checking and COPY ingestion overlap."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines

    def read(self, size: int = 65536) -> str:
        chunk, length = [], 0
        for line in self._lines:
            chunk.append(line)
            length += len(line)
            if length >= size:
                break
        return "".join(chunk)

    readline = read


def _checked_lines(source: Source, lookups: _Lookups, report: ImportReport, staged: list[int]) -> Iterator[str]:
    """COPY lines of the good rows; every problem goes into the report (duplicates name the first row)."""
    first_row: dict[str, int] = {}
    rows = iter(source.rows)
    while True:
        try:
            item = next(rows, None)
        except Exception as exc:  # csv, openpyxl and json each raise their own types for a damaged file
            report.error(0, "file", _("cannot read the file: %(error)s") % {"error": exc})
            return
        if item is None:
            return
        number, row = item
        report.rows += 1
        checked = _check_row(number, row, lookups, report)
        if checked is None:
            continue
        identifier, line = checked
        if identifier in first_row:
            report.error(
                number,
                "identifier",
                _("identifier %(id)s already in row %(row)s") % {"id": identifier, "row": first_row[identifier]},
            )
            continue
        first_row[identifier] = number
        staged.append(number)
        yield line


def _create_stage(cursor) -> None:
    # ON COMMIT DROP is not enough when the import runs inside an outer transaction (tests, a caller's atomic).
    cursor.execute("DROP TABLE IF EXISTS component_import; DROP TABLE IF EXISTS component_import_grid")
    cursor.execute(
        """
        CREATE TEMP TABLE component_import (
            row_no integer PRIMARY KEY, identifier varchar(17), minor_class_id bigint, name varchar(100),
            supervising_department_id bigint, owner_id bigint, maintainer_id bigint, status varchar(10),
            census_date date, changed_date date, data_source varchar(12), note varchar(300),
            surveyed geometry(Geometry, 4326), lng double precision, lat double precision, extra jsonb,
            location geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lng, lat), 4326)) STORED,
            geometry geometry(Geometry, 4326)
                GENERATED ALWAYS AS (coalesce(surveyed, ST_SetSRID(ST_MakePoint(lng, lat), 4326))) STORED
        ) ON COMMIT DROP
        """
    )


def _assign_grids(cursor) -> list[tuple[int, float, float]]:
    """Give each staged row its current unit grid in one grid-first join (each grid polygon is prepared once and
    probes the staged points' index); return the rows outside every grid. A point on a shared edge takes the grid
    with the lowest code, as ``grids.spatial.locate_point`` does."""
    cursor.execute("CREATE INDEX ON component_import USING gist (location)")
    # Row statistics only: sampling the geometries costs more than the grid join, whose plan does not need them.
    cursor.execute("ANALYZE component_import (row_no)")
    cursor.execute(
        """
        CREATE TEMP TABLE component_import_grid ON COMMIT DROP AS
        SELECT DISTINCT ON (p.row_no) p.row_no, g.id AS grid_id
        FROM grids_unitgrid g CROSS JOIN LATERAL (
            SELECT t.row_no FROM component_import t WHERE ST_Intersects(g.geometry, t.location)) p
        WHERE g.valid_to IS NULL
        ORDER BY p.row_no, g.code
        """
    )
    cursor.execute(
        """
        SELECT t.row_no, t.lng, t.lat FROM component_import t
        WHERE NOT EXISTS (SELECT 1 FROM component_import_grid a WHERE a.row_no = t.row_no) ORDER BY t.row_no
        """
    )
    return cursor.fetchall()


_UPSERT = """
    WITH written AS (
        INSERT INTO grids_component (identifier, minor_class_id, name, supervising_department_id, owner_id,
            maintainer_id, grid_id, status, census_date, changed_date, data_source, note, photo, geometry, location,
            extra)
        SELECT t.identifier, t.minor_class_id, coalesce(t.name, ''), t.supervising_department_id, t.owner_id,
               t.maintainer_id, a.grid_id, t.status, t.census_date, t.changed_date, t.data_source,
               coalesce(t.note, ''), '', t.geometry, t.location, coalesce(t.extra, '{}'::jsonb)
        FROM component_import t JOIN component_import_grid a ON a.row_no = t.row_no
        ON CONFLICT (identifier) DO UPDATE SET
            minor_class_id = EXCLUDED.minor_class_id, name = EXCLUDED.name,
            supervising_department_id = EXCLUDED.supervising_department_id, owner_id = EXCLUDED.owner_id,
            maintainer_id = EXCLUDED.maintainer_id, grid_id = EXCLUDED.grid_id, status = EXCLUDED.status,
            census_date = EXCLUDED.census_date, changed_date = EXCLUDED.changed_date,
            data_source = EXCLUDED.data_source, note = EXCLUDED.note, geometry = EXCLUDED.geometry,
            location = EXCLUDED.location, extra = EXCLUDED.extra
        WHERE (grids_component.minor_class_id, grids_component.name, grids_component.supervising_department_id,
               grids_component.owner_id, grids_component.maintainer_id, grids_component.grid_id,
               grids_component.status, grids_component.census_date, grids_component.changed_date,
               grids_component.data_source, grids_component.note, grids_component.extra)
              IS DISTINCT FROM
              (EXCLUDED.minor_class_id, EXCLUDED.name, EXCLUDED.supervising_department_id, EXCLUDED.owner_id,
               EXCLUDED.maintainer_id, EXCLUDED.grid_id, EXCLUDED.status, EXCLUDED.census_date,
               EXCLUDED.changed_date, EXCLUDED.data_source, EXCLUDED.note, EXCLUDED.extra)
           OR NOT ST_OrderingEquals(grids_component.geometry, EXCLUDED.geometry)
        RETURNING (xmax = 0) AS inserted
    )
    SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written
"""


def _counted(rows: Iterator[tuple[int, dict]], progress: Callable[[int], None]) -> Iterator[tuple[int, dict]]:
    for done, item in enumerate(rows, start=1):
        if done % 500 == 0:
            progress(done)
        yield item


def import_components(
    path: str, *, skip_invalid: bool = False, dry_run: bool = False, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Import the components of *path* (see the module docstring for the columns); *progress* (an import job's)
    hears how many rows have been read."""
    report = ImportReport("components", dry_run=dry_run)
    try:
        source = read_rows(path)
    except Exception as exc:  # unsupported type, unreadable header, damaged workbook
        report.error(0, "file", _("cannot read the file: %(error)s") % {"error": exc})
        return report
    missing = source.missing_columns()
    if missing:
        for name in missing:
            report.error(
                1,
                name,
                _("no column for %(field)s (accepted headers: %(names)s)")
                % {"field": name, "names": ", ".join(ALIASES[name])},
            )
        source.close()
        return report
    if progress is not None:
        source.rows = _counted(source.rows, progress)
    lookups = _Lookups()
    staged: list[int] = []
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")  # the grid join's sort stays in memory
            _create_stage(cursor)
            lines = _LineStream(_checked_lines(source, lookups, report, staged))
            cursor.copy_expert(f"COPY component_import ({STAGE_COLUMNS}) FROM STDIN", lines, 65536)
            if report.errors and report.errors[-1].row == 0:  # the file broke off: nothing of it is trusted
                raise _Rollback
            outside = _assign_grids(cursor) if staged else []
            position_field = "lng" if source.header is not None else "geometry"  # GeoJSON rows have no columns
            for number, x, y in outside:
                report.error(
                    number, position_field, _("point (%(x).6f, %(y).6f) is outside every unit grid") % {"x": x, "y": y}
                )
            good = len(staged) - len(outside)
            if report.errors and not skip_invalid:
                report.skipped = report.rows
                raise _Rollback
            report.skipped = report.rows - good
            if dry_run or not good:
                raise _Rollback
            cursor.execute("SET LOCAL jit = off")  # JIT compiling the upsert costs more than it saves
            cursor.execute(_UPSERT)
            report.created, report.updated = cursor.fetchone()
            report.unchanged = good - report.created - report.updated
            report.written = True
    except _Rollback:
        pass
    finally:
        source.close()
    return report
