"""Small parsing helpers shared by the importers."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.gis.gdal import DataSource, GDALException
from django.contrib.gis.geos import GEOSGeometry
from django.utils.translation import gettext as _

from core.spreadsheets.reading import as_text

__all__ = ["as_text", "open_vector_file", "parse_date", "pick", "read_features"]


def open_vector_file(path: str) -> DataSource:
    """A GDAL data source for a GeoJSON file, a Shapefile, or a .zip holding one (read in place through /vsizip/)."""
    target = f"/vsizip/{path}" if str(path).lower().endswith(".zip") else str(path)
    return DataSource(target)


def read_features(path: str) -> list[tuple[int, dict, GEOSGeometry | None, str]]:
    """(feature number from 1, attributes with lower-cased names, geometry in WGS84 or None, problem) of every
    feature of the file's first layer; a geometry GDAL cannot transform is that row's problem, not the file's."""
    source = open_vector_file(path)
    layer = source[0]
    out = []
    for number, feature in enumerate(layer, start=1):
        props: dict[str, object] = {}
        # By position: GDAL finds fields by name case-insensitively, so "NAME" would hide "name"; where a file has
        # both, the one with a value wins.
        for index, name in enumerate(layer.fields):
            value = feature[index].value
            if value not in (None, "") or name.lower() not in props:
                props[name.lower()] = value
        geometry, problem = None, ""
        try:
            ogr = feature.geom
        except GDALException:  # a feature without geometry
            ogr = None
        if ogr is not None:
            try:
                if ogr.srs is not None and ogr.srid != 4326:
                    ogr.transform(4326)
                # Survey Shapefiles often carry heights (Z) or measures (M); the map stores plane geometries.
                if ogr.is_3d:
                    ogr.set_3d(False)
                if ogr.is_measured:
                    ogr.set_measured(False)
                geometry = ogr.geos
                geometry.srid = 4326
            except Exception as exc:  # a broken spatial reference is the row's problem, reported as such
                problem = str(exc)
        out.append((number, props, geometry, problem))
    return out


def pick(row: dict, *names: str) -> object:
    """The first non-empty value among the column *names* (files name their columns in different ways)."""
    for name in names:
        value = row.get(name)
        if value not in (None, ""):
            return value
    return None


def parse_date(value: object) -> date | None:
    """ISO dates (2022-03-01), 2022/03/01, 20220301, or a spreadsheet date. Raises ValueError with a message."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = as_text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("%(value)s is not a date (use YYYY-MM-DD)") % {"value": text})
