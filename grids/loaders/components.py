"""Import components (管理部件) from GeoJSON, CSV or Excel (.xlsx).

Columns (Chinese headers of common inventories are accepted too): ``identifier`` (部件标识码, required),
``class_code`` (小类代码, required), ``standard`` (default: the default classification standard), ``name``, ``status``
(code or Chinese label: 完好/破损/丢失/废弃/移除/占用), ``supervising_department`` / ``owner`` / ``maintainer`` (a
department's short code, unified social credit code or name), ``census_date``, ``changed_date``, ``data_source``
(实测/地形图/基础地理数据/其他), ``note``, and the position: ``lng`` + ``lat`` (CSV/Excel) or the feature geometry
(GeoJSON; lines and polygons are kept, their ``location`` is a point on them). Any other column goes into ``extra``.

Rows are checked in Python, staged in a temporary table with COPY, checked against the grids in one query (a point
outside every current unit grid is an error) and written with one ``INSERT … ON CONFLICT (identifier) DO UPDATE``,
so re-importing updates by identifier and never duplicates.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from pathlib import Path

from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core.models import Department
from grids.choices import ClassKind, ComponentStatus, DataSource
from grids.loaders.common import as_text, parse_date, pick
from grids.loaders.report import ImportReport
from grids.models import ClassificationStandard, MinorClass
from grids.validators import known_district_codes, validate_component_identifier

ALIASES: dict[str, tuple[str, ...]] = {
    "identifier": ("identifier", "部件标识码", "标识码", "bsm"),
    "class_code": ("class_code", "小类代码", "小类编码", "class"),
    "standard": ("standard", "分类标准"),
    "name": ("name", "部件名称", "名称"),
    "status": ("status", "部件状态", "状态"),
    "supervising_department": ("supervising_department", "主管部门"),
    "owner": ("owner", "权属单位"),
    "maintainer": ("maintainer", "养护单位"),
    "census_date": ("census_date", "初始日期", "普查日期"),
    "changed_date": ("changed_date", "变更日期"),
    "data_source": ("data_source", "数据来源"),
    "note": ("note", "备注"),
    "lng": ("lng", "lon", "longitude", "经度", "x"),
    "lat": ("lat", "latitude", "纬度", "y"),
}
_KNOWN = {alias for names in ALIASES.values() for alias in names} | {"geometry"}

STAGE_COLUMNS = (
    "row_no, identifier, minor_class_id, name, supervising_department_id, owner_id, maintainer_id, status, "
    "census_date, changed_date, data_source, note, surveyed, lng, lat, extra"
)


class _Rollback(Exception):
    """Raised inside the import transaction to undo it (all-or-nothing, dry runs)."""


# ---- Reading files -----------------------------------------------------------------------------------------------


def _normalise(header: object) -> str:
    return as_text(header).strip().lower()


def _read_csv(path: Path) -> Iterator[tuple[int, dict]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gbk")  # inventories exported by older Chinese software
    reader = csv.reader(io.StringIO(text))
    header = [_normalise(h) for h in next(reader, [])]
    for number, values in enumerate(reader, start=2):
        if any(v.strip() for v in values):
            yield number, dict(zip(header, values, strict=False))


def _read_xlsx(path: Path) -> Iterator[tuple[int, dict]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [_normalise(h) for h in next(rows, ())]
        for number, values in enumerate(rows, start=2):
            if any(v not in (None, "") for v in values):
                yield number, dict(zip(header, values, strict=False))
    finally:
        book.close()


def _read_geojson(path: Path) -> Iterator[tuple[int, dict]]:
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    features = data.get("features", []) if isinstance(data, dict) else []
    for number, feature in enumerate(features, start=1):
        props = {_normalise(k): v for k, v in (feature.get("properties") or {}).items()}
        props["geometry"] = feature.get("geometry")
        yield number, props


def read_rows(path: str) -> Iterator[tuple[int, dict]]:
    suffix = Path(path).suffix.lower()
    readers = {".csv": _read_csv, ".xlsx": _read_xlsx, ".geojson": _read_geojson, ".json": _read_geojson}
    if suffix not in readers:
        raise ValueError(_("unsupported file type %(suffix)s: use .csv, .xlsx or .geojson") % {"suffix": suffix})
    return readers[suffix](Path(path))


# ---- Checking rows -----------------------------------------------------------------------------------------------


class _Lookups:
    """Everything a row is checked against, loaded once per import."""

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
        self.statuses = _choice_map(ComponentStatus)
        self.sources = _choice_map(DataSource)
        self.districts = known_district_codes()


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
    if text not in lookups.departments:
        report.error(number, column, _("unknown department %(value)s") % {"value": text})
    return lookups.departments.get(text)


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
        if not geom.valid:
            report.error(number, "geometry", _("invalid geometry: %(reason)s") % {"reason": geom.valid_reason})
            return None
        location = geom if geom.geom_type == "Point" else geom.point_on_surface
        return geom, location.x, location.y
    lng, lat = pick(row, *ALIASES["lng"]), pick(row, *ALIASES["lat"])
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


def _check_row(number: int, row: dict, lookups: _Lookups, report: ImportReport) -> list | None:
    errors_before = len(report.errors)
    identifier = as_text(pick(row, *ALIASES["identifier"]))
    class_code = as_text(pick(row, *ALIASES["class_code"]))
    if not identifier:
        report.error(number, "identifier", _("missing identifier"))
    if not class_code:
        report.error(number, "class_code", _("missing class code"))
    standard = as_text(pick(row, *ALIASES["standard"])) or lookups.default_standard
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
    status_text = as_text(pick(row, *ALIASES["status"])) or ComponentStatus.INTACT
    status = lookups.statuses.get(status_text)
    if status is None:
        report.error(number, "status", _("unknown status %(value)s") % {"value": status_text})
    source_text = as_text(pick(row, *ALIASES["data_source"])) or DataSource.SURVEYED
    source = lookups.sources.get(source_text)
    if source is None:
        report.error(number, "data_source", _("unknown data source %(value)s") % {"value": source_text})
    departments = [
        _department(pick(row, *ALIASES[column]), column, lookups, number, report)
        for column in ("supervising_department", "owner", "maintainer")
    ]
    dates = []
    for column in ("census_date", "changed_date"):
        try:
            dates.append(parse_date(pick(row, *ALIASES[column])))
        except ValueError as exc:
            report.error(number, column, str(exc))
    position = _position(row, number, report)
    if len(report.errors) > errors_before or position is None:
        return None
    geometry, lng, lat = position
    extra = {k: as_text(v) for k, v in row.items() if k not in _KNOWN and k and v not in (None, "")}
    return [
        number,
        identifier,
        class_id,
        as_text(pick(row, *ALIASES["name"])),
        *departments,
        status,
        dates[0],
        dates[1],
        source,
        as_text(pick(row, *ALIASES["note"])),
        geometry,
        lng,
        lat,
        extra,
    ]


# ---- Staging and writing -----------------------------------------------------------------------------------------


def _copy_value(value: object) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, GEOSGeometry):
        return value.hexewkb.decode()
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _stage(cursor, rows: list[list]) -> None:
    # ON COMMIT DROP is not enough when the import runs inside an outer transaction (tests, a caller's atomic).
    cursor.execute("DROP TABLE IF EXISTS component_import")
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
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(v) for v in row))
        buffer.write("\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY component_import ({STAGE_COLUMNS}) FROM STDIN", buffer)
    cursor.execute("CREATE INDEX ON component_import USING gist (location)")
    cursor.execute("ANALYZE component_import")


def _outside_rows(cursor) -> list[tuple[int, float, float]]:
    # Grid first: each current grid polygon is prepared once and probes the staged points' index.
    cursor.execute(
        """
        WITH inside AS (
            SELECT DISTINCT p.row_no FROM grids_unitgrid g CROSS JOIN LATERAL (
                SELECT t.row_no FROM component_import t WHERE ST_Intersects(g.geometry, t.location)) p
            WHERE g.valid_to IS NULL
        )
        SELECT t.row_no, t.lng, t.lat FROM component_import t
        WHERE NOT EXISTS (SELECT 1 FROM inside WHERE inside.row_no = t.row_no) ORDER BY t.row_no
        """
    )
    return cursor.fetchall()


_UPSERT = """
    WITH written AS (
        INSERT INTO grids_component (identifier, minor_class_id, name, supervising_department_id, owner_id,
            maintainer_id, grid_id, status, census_date, changed_date, data_source, note, photo, geometry, location,
            extra)
        SELECT t.identifier, t.minor_class_id, coalesce(t.name, ''), t.supervising_department_id, t.owner_id,
               t.maintainer_id, g.id, t.status, t.census_date, t.changed_date, t.data_source, coalesce(t.note, ''),
               '', t.geometry, t.location, coalesce(t.extra, '{}'::jsonb)
        FROM component_import t
        LEFT JOIN LATERAL (
            SELECT g.id FROM grids_unitgrid g
            WHERE g.valid_to IS NULL AND ST_Intersects(g.geometry, t.location) ORDER BY g.code LIMIT 1
        ) g ON true
        ON CONFLICT (identifier) DO UPDATE SET
            minor_class_id = EXCLUDED.minor_class_id, name = EXCLUDED.name,
            supervising_department_id = EXCLUDED.supervising_department_id, owner_id = EXCLUDED.owner_id,
            maintainer_id = EXCLUDED.maintainer_id, grid_id = EXCLUDED.grid_id, status = EXCLUDED.status,
            census_date = EXCLUDED.census_date, changed_date = EXCLUDED.changed_date,
            data_source = EXCLUDED.data_source, note = EXCLUDED.note, geometry = EXCLUDED.geometry,
            location = EXCLUDED.location, extra = EXCLUDED.extra
        WHERE (grids_component.minor_class_id, grids_component.name, grids_component.supervising_department_id,
               grids_component.owner_id, grids_component.maintainer_id, grids_component.status,
               grids_component.census_date, grids_component.changed_date, grids_component.data_source,
               grids_component.note, grids_component.extra)
              IS DISTINCT FROM
              (EXCLUDED.minor_class_id, EXCLUDED.name, EXCLUDED.supervising_department_id, EXCLUDED.owner_id,
               EXCLUDED.maintainer_id, EXCLUDED.status, EXCLUDED.census_date, EXCLUDED.changed_date,
               EXCLUDED.data_source, EXCLUDED.note, EXCLUDED.extra)
           OR NOT ST_Equals(grids_component.geometry, EXCLUDED.geometry)
        RETURNING (xmax = 0) AS inserted
    )
    SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written
"""


def import_components(path: str, *, skip_invalid: bool = False, dry_run: bool = False) -> ImportReport:
    """Import the components of *path* (see the module docstring for the columns)."""
    report = ImportReport("components")
    lookups = _Lookups()
    staged: list[list] = []
    first_row: dict[str, int] = {}
    try:
        for number, row in read_rows(path):
            report.rows += 1
            checked = _check_row(number, row, lookups, report)
            if checked is None:
                continue
            identifier = checked[1]
            if identifier in first_row:
                report.error(
                    number,
                    "identifier",
                    _("identifier %(id)s already in row %(row)s") % {"id": identifier, "row": first_row[identifier]},
                )
                continue
            first_row[identifier] = number
            staged.append(checked)
    except (ValueError, KeyError, OSError, csv.Error) as exc:
        report.error(0, "file", _("cannot read the file: %(error)s") % {"error": exc})
        return report
    except Exception as exc:  # openpyxl and json raise their own types for a damaged file
        report.error(0, "file", _("cannot read the file: %(error)s") % {"error": exc})
        return report
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if staged:
                _stage(cursor, staged)
                outside = _outside_rows(cursor)
                for number, x, y in outside:
                    report.error(
                        number, "lng", _("point (%(x).6f, %(y).6f) is outside every unit grid") % {"x": x, "y": y}
                    )
                if outside:
                    cursor.execute("DELETE FROM component_import WHERE row_no = ANY(%s)", [[r[0] for r in outside]])
            good = len(staged) - len({e.row for e in report.errors} & {r[0] for r in staged})
            if report.errors and not skip_invalid:
                report.skipped = report.rows
                raise _Rollback
            report.skipped = report.rows - good
            if dry_run or not staged:
                raise _Rollback
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(_UPSERT)
            report.created, report.updated = cursor.fetchone()
            report.unchanged = good - report.created - report.updated
            report.written = True
    except _Rollback:
        pass
    return report
