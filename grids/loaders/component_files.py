"""Reading component files (CSV, Excel .xlsx, GeoJSON) into rows keyed by the importer's column names.

Headers are matched once per file against ``ALIASES`` (English names and the usual Chinese headers of inventories),
so a row is a dict such as ``{"identifier": …, "class_code": …, "lng": …, "材质": …}``: known columns under their
canonical name, any other column under its own (lower-cased) header.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from grids.loaders.common import as_text

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
CANONICAL = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
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


def _normalise(header: object) -> str:
    return as_text(header).strip().lower()


def canonical_header(raw: list[object]) -> list[str]:
    """Known headers under their canonical name; a second column for the same field keeps its own name."""
    out: list[str] = []
    for cell in raw:
        name = _normalise(cell)
        canonical = CANONICAL.get(name, name)
        out.append(canonical if canonical not in out else name)
    return out


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")  # inventories exported by older Chinese software (GBK is a subset)


def _read_csv(path: Path) -> Source:
    reader = csv.reader(io.StringIO(_decode(path.read_bytes())))
    header = canonical_header(next(reader, []))

    def rows() -> Iterator[tuple[int, dict]]:
        for number, values in enumerate(reader, start=2):
            if any(v.strip() for v in values):
                yield number, dict(zip(header, values, strict=False))

    return Source(rows(), header)


def _read_xlsx(path: Path) -> Source:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    sheet_rows = book.worksheets[0].iter_rows(values_only=True)
    header = canonical_header(list(next(sheet_rows, ())))

    def rows() -> Iterator[tuple[int, dict]]:
        for number, values in enumerate(sheet_rows, start=2):
            if any(v not in (None, "") for v in values):
                yield number, dict(zip(header, values, strict=False))

    return Source(rows(), header, book.close)


def _read_geojson(path: Path) -> Source:
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
