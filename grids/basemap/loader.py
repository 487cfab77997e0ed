"""Import a base layer (roads, buildings, water, green space, place labels) from GeoJSON or Shapefile.

One file holds one layer, as survey deliveries do. Attribute names are matched case-insensitively, with the
Chinese and the 10-character Shapefile names surveys use:

- every layer: ``name`` (名称, ``mc``); place labels require it.
- roads: ``class`` (``road_class``, ``fclass``, 道路等级, 等级) — 快速路/主干路/次干路/支路/街巷 or expressway/arterial/
  secondary/branch/lane; required. Geometry LineString or MultiLineString.
- buildings: ``floors`` (层数, ``cs``), optional whole number. Geometry Polygon or MultiPolygon.
- water: ``kind`` (类型) river/lake/pond/canal or 河流/湖泊/坑塘/沟渠, default river. Polygon or line.
- green space: ``kind`` park/green/square or 公园/绿地/广场, default park. Polygon or MultiPolygon.
- place labels: ``kind`` district/street/community/landmark or 区县/街道/社区/地标, default landmark. Point.

Geometries in any spatial reference the file declares are transformed to WGS84. The whole file is checked first
and each bad row is reported with its number, column and reason; nothing is written when any row is bad (unless
``skip_invalid``). By default the import *replaces* the layer — a survey delivers the whole layer again, and a
second import of the same file must not double it — ``append=True`` adds to it instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.gis.geos import GEOSGeometry, MultiLineString, MultiPolygon, Point
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.spreadsheets import check_upload
from core.spreadsheets.report import ImportReport
from grids.basemap.choices import GreenKind, PlaceKind, RoadClass, WaterKind, parse_choice
from grids.basemap.tiles import changed
from grids.loaders.common import as_text, pick, read_features
from grids.models import Building, GreenSpace, PlaceLabel, Road, Water

NAME_COLUMNS = ("name", "名称", "mc", "road_name", "道路名称", "label", "注记")
KIND_COLUMNS = ("kind", "type", "类型", "类别", "lx")
MAX_FLOORS = 200
BATCH = 2000


@dataclass(frozen=True)
class LayerSpec:
    model: type[models.Model]
    geometry: str  # "line", "polygon", "polygon_or_line", "point"
    choice_field: str = ""  # the model field holding the class or kind
    choices: type[models.TextChoices] | None = None
    choice_columns: tuple[str, ...] = KIND_COLUMNS
    choice_required: bool = False
    name_required: bool = False


LAYERS: dict[str, LayerSpec] = {
    "roads": LayerSpec(
        Road,
        "line",
        "road_class",
        RoadClass,
        ("class", "road_class", "roadclass", "fclass", "grade", "道路等级", "等级", "dldj"),
        choice_required=True,
    ),
    "buildings": LayerSpec(Building, "polygon"),
    "water": LayerSpec(Water, "polygon_or_line", "kind", WaterKind),
    "green": LayerSpec(GreenSpace, "polygon", "kind", GreenKind),
    "labels": LayerSpec(PlaceLabel, "point", "kind", PlaceKind, name_required=True),
}
LAYER_LABELS = {
    "roads": gettext_lazy("roads"),
    "buildings": gettext_lazy("buildings"),
    "water": gettext_lazy("water"),
    "green": gettext_lazy("green spaces"),
    "labels": gettext_lazy("place labels"),
}
NAME_LENGTH = 100


def _shape(geometry: GEOSGeometry, wanted: str) -> GEOSGeometry | str:
    """The geometry in the model's type, or a message saying why it cannot be."""
    kind = geometry.geom_type
    if wanted in ("polygon", "polygon_or_line") and kind in ("Polygon", "MultiPolygon"):
        shaped = MultiPolygon(geometry, srid=4326) if kind == "Polygon" else geometry
        if not shaped.valid:
            return _("invalid polygon: %(reason)s") % {"reason": shaped.valid_reason}
        return shaped if wanted == "polygon" else geometry
    if wanted in ("line", "polygon_or_line") and kind in ("LineString", "MultiLineString"):
        if wanted == "polygon_or_line":
            return geometry
        return MultiLineString(geometry, srid=4326) if kind == "LineString" else geometry
    if wanted == "point" and kind == "Point":
        return geometry
    if wanted == "point" and kind == "MultiPoint" and len(geometry) == 1:
        return Point(geometry[0].coords, srid=4326)
    expected = {
        "line": _("a line"),
        "polygon": _("a polygon"),
        "polygon_or_line": _("a polygon or a line"),
        "point": _("a point"),
    }[wanted]
    return _("expected %(expected)s, not %(type)s") % {"expected": expected, "type": kind}


def _validate_row(
    spec: LayerSpec, number: int, props: dict, geometry, problem: str, report: ImportReport, source: str
) -> models.Model | None:
    ok = True
    name = as_text(pick(props, *NAME_COLUMNS))
    if len(name) > NAME_LENGTH:
        report.error(number, "name", _("longer than %(limit)s characters") % {"limit": NAME_LENGTH})
        ok = False
    elif spec.name_required and not name:
        report.error(number, "name", _("missing name"))
        ok = False
    values: dict[str, object] = {"name": name, "source": source[:120]}
    if spec.choices is not None:
        raw = as_text(pick(props, *spec.choice_columns))
        if raw:
            value = parse_choice(spec.choices, raw)
            if value is None:
                allowed = ", ".join(f"{c.value} ({c.label})" for c in spec.choices)
                report.error(
                    number,
                    spec.choice_columns[0],
                    _("unknown value %(value)s; one of %(allowed)s") % {"value": raw, "allowed": allowed},
                )
                ok = False
            values[spec.choice_field] = value
        elif spec.choice_required:
            report.error(number, spec.choice_columns[0], _("missing road class"))
            ok = False
    if spec.model is Building:
        raw = pick(props, "floors", "层数", "cs", "floor", "storeys")
        if raw not in (None, ""):
            try:
                floors = float(as_text(raw))
                if floors != int(floors) or not 0 <= floors <= MAX_FLOORS:
                    raise ValueError
                values["floors"] = int(floors)
            except ValueError:
                message = _("%(value)s is not a number of floors (0–%(max)s)") % {"value": raw, "max": MAX_FLOORS}
                report.error(number, "floors", message)
                ok = False
    if geometry is None or geometry.empty:
        report.error(number, "geometry", problem or _("missing geometry"))
        return None
    shaped = _shape(geometry, spec.geometry)
    if isinstance(shaped, str):
        report.error(number, "geometry", shaped)
        return None
    if not ok:
        return None
    return spec.model(geometry=shaped, **{k: v for k, v in values.items() if v is not None})


def import_base_layer(
    kind: str,
    path: str,
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
    append: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import the *kind* layer ("roads", "buildings", "water", "green", "labels") from *path*; see the module
    docstring for the columns. ``report.replaced`` counts the features the import removed."""
    spec = LAYERS[kind]
    report = ImportReport(f"base_{kind}", dry_run=dry_run)
    try:
        check_upload(path)  # size, and a zipped Shapefile's unpacked size, before GDAL opens it
        features = read_features(path)
    except Exception as exc:  # GDAL cannot read it: the whole file is the problem
        report.error(0, "file", _("cannot read the file: %(error)s") % {"error": exc})
        return report
    report.rows = len(features)
    source = str(path).replace("\\", "/").rsplit("/", 1)[-1]
    good: list[models.Model] = []
    for number, props, geometry, problem in features:
        row = _validate_row(spec, number, props, geometry, problem, report, source)
        if row is not None:
            good.append(row)
        if progress and number % 1000 == 0:
            progress(number)
    if report.errors and not skip_invalid:
        report.skipped = report.rows  # all-or-nothing: one bad row stops the file
        return report
    report.skipped = report.rows - len(good)
    if dry_run or not good:
        return report
    with transaction.atomic():
        if not append:
            report.replaced = spec.model.objects.all().delete()[0]
        spec.model.objects.bulk_create(good, batch_size=BATCH)
        changed()
    report.created = len(good)
    report.written = True
    if progress:
        progress(report.rows)
    return report
