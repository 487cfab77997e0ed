"""Reading component files (CSV, Excel .xlsx, GeoJSON) into rows keyed by the importer's column names.

Headers are matched once per file against ``ALIASES`` (English names and the usual Chinese headers of inventories),
so a row is a dict such as ``{"identifier": …, "class_code": …, "lng": …, "材质": …}``: known columns under their
canonical name, any other column under its own (lower-cased) header.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from core.spreadsheets import CsvReader, HeaderAliases, SheetReader, check_upload

ALIASES: dict[str, tuple[str, ...]] = {
    "identifier": ("identifier", "部件标识码", "标识码", "部件编码", "bsm"),
    "class_code": ("class_code", "小类代码", "小类编码", "class"),
    "standard": ("standard", "分类标准"),
    "name": ("name", "部件名称", "名称"),
    "status": ("status", "部件状态", "状态"),
    "supervising_department": ("supervising_department", "主管部门", "主管部门代码"),
    "owner": ("owner", "权属单位", "权属单位代码"),
    "maintainer": ("maintainer", "养护单位", "养护单位代码"),
    "census_date": ("census_date", "初始日期", "普查日期"),
    "changed_date": ("changed_date", "变更日期"),
    "data_source": ("data_source", "数据来源"),
    "note": ("note", "备注"),
    "lng": ("lng", "lon", "longitude", "经度", "x"),
    "lat": ("lat", "latitude", "纬度", "y"),
}
CANONICAL = {alias.lower(): name for name, aliases in ALIASES.items() for alias in aliases}
KNOWN_COLUMNS = frozenset(ALIASES) | {"geometry"}
REQUIRED_COLUMNS = ("identifier", "class_code", "lng", "lat")


@dataclass
class Source:
    rows: Iterator[tuple[int, dict]]  # (row number as a person sees it, row)
    header: list[str] | None = None  # canonical header of a CSV/Excel file; None for GeoJSON (keys vary by feature)
    close: Callable[[], None] = field(default=lambda: None)

    def missing_columns(self) -> list[str]:
        if self.header is None:
            return []
        return [name for name in REQUIRED_COLUMNS if name not in self.header]


HEADERS = HeaderAliases(ALIASES)


def _normalise(header: object) -> str:
    return HEADERS.normalise(header)


def canonical_header(raw: list[object]) -> list[str]:
    """Known headers under their canonical name; a second column for the same field keeps its own name."""
    return HEADERS.canonical(raw)


def _header_and_rows(numbered: Iterator[tuple[int, tuple | list]], close: Callable[[], None]) -> Source:
    first = next(numbered, None)
    header = canonical_header(list(first[1]) if first else [])

    def rows() -> Iterator[tuple[int, dict]]:
        for number, values in numbered:
            yield number, dict(zip(header, values, strict=False))

    return Source(rows(), header, close)


def _read_csv(path: Path) -> Source:
    reader = CsvReader(path)
    return _header_and_rows(reader.rows(), reader.close)


def _read_xlsx(path: Path) -> Source:
    reader = SheetReader(path)
    return _header_and_rows(reader.rows(), reader.close)


def _read_geojson(path: Path) -> Source:
    check_upload(path)  # size and feature count: the collection is parsed whole
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValueError(_("a GeoJSON file must hold a FeatureCollection"))

    def rows() -> Iterator[tuple[int, dict]]:
        for number, feature in enumerate(data.get("features") or [], start=1):
            props = {}
            for key, value in ((feature or {}).get("properties") or {}).items():
                name = _normalise(key)
                props.setdefault(CANONICAL.get(name, name), value)
            props["geometry"] = (feature or {}).get("geometry")
            yield number, props

    return Source(rows())


def read_rows(path: str) -> Source:
    """The rows of a component file; ``ValueError`` for a type we do not read."""
    suffix = Path(path).suffix.lower()
    readers = {".csv": _read_csv, ".xlsx": _read_xlsx, ".geojson": _read_geojson, ".json": _read_geojson}
    if suffix not in readers:
        raise ValueError(_("unsupported file type %(suffix)s: use .csv, .xlsx or .geojson") % {"suffix": suffix})
    return readers[suffix](Path(path))
