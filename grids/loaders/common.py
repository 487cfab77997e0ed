"""Small parsing helpers shared by the importers."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.gis.gdal import DataSource
from django.utils.translation import gettext as _

from core.spreadsheets.reading import as_text

__all__ = ["as_text", "open_vector_file", "parse_date", "pick"]


def open_vector_file(path: str) -> DataSource:
    """A GDAL data source for a GeoJSON file, a Shapefile, or a .zip holding one (read in place through /vsizip/)."""
    target = f"/vsizip/{path}" if str(path).lower().endswith(".zip") else str(path)
    return DataSource(target)


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
