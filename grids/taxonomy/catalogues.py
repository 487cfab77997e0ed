"""The class-code catalogues shipped in ``grids/fixtures/`` (分类代码: CSV code lists with columns
``kind,major_code,major_name,code,name``, or their Chinese headers; kind ``matter`` = 事项 of GB/T 47678.5-2026 = our
``event``) and reading one through the spreadsheet kit (``core.spreadsheets``) with row-numbered errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.spreadsheets import CsvReader, HeaderAliases, ImportReport
from grids.choices import ClassKind

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@dataclass(frozen=True)
class Catalogue:
    """One code list shipped with the project, and the standard its codes belong to."""

    standard: str  # ClassificationStandard.code
    name: str
    path: Path
    is_default: bool = False
    is_local: bool = False


GBT_2026 = "gbt47678-5-2026"
CJT_2007 = "cjt214-2007"
CATALOGUES: tuple[Catalogue, ...] = (
    Catalogue(GBT_2026, "GB/T 47678.5-2026", FIXTURES / "gbt47678.5-2026-catalogue.csv", is_default=True),
    Catalogue(CJT_2007, "CJ/T 214-2007", FIXTURES / "cjt214-2007-era-classes.csv"),
)
CSV_KINDS = {"component": ClassKind.COMPONENT, "event": ClassKind.EVENT, "matter": ClassKind.EVENT}
CSV_COLUMNS = ("kind", "major_code", "major_name", "code", "name")
HEADERS = HeaderAliases(
    {
        "kind": ("kind", "类型", "类别"),
        "major_code": ("major_code", "大类代码"),
        "major_name": ("major_name", "大类名称"),
        "code": ("code", "小类代码", "代码"),
        "name": ("name", "小类名称", "名称"),
    }
)


class CatalogueError(ValueError):
    """A catalogue row that cannot be loaded; the message names the file and row."""


@dataclass(frozen=True)
class CatalogueRow:
    kind: str
    major_code: str
    major_name: str
    code: str
    name: str


def read_catalogue(path: Path) -> list[CatalogueRow]:
    """Read and check a catalogue CSV; every problem is reported with its row number, nothing is loaded on error."""
    rows: list[CatalogueRow] = []
    report = ImportReport("catalogue")
    reader = CsvReader(path)
    try:
        lines = reader.rows()
        header = next(lines, (1, []))[1]
        columns = HEADERS.known(header)
        missing = [col for col in CSV_COLUMNS if col not in columns.values()]
        if missing:
            raise CatalogueError(f"{path.name}: missing columns {', '.join(missing)}")
        seen: set[tuple[str, str]] = set()
        for number, raw in lines:
            report.rows += 1
            known_errors = len(report.errors)
            values = dict.fromkeys(CSV_COLUMNS, "")
            values.update({name: raw[index].strip() for index, name in columns.items() if index < len(raw)})
            kind = CSV_KINDS.get(values["kind"])
            if kind is None:
                report.error(number, "kind", f"kind {values['kind']!r} is not one of {', '.join(CSV_KINDS)}")
            if not values["major_code"] or len(values["major_code"]) > 2:
                report.error(number, "major_code", "major_code must have 1–2 characters")
            if not values["code"] or len(values["code"]) > 8 or not values["code"].startswith(values["major_code"]):
                report.error(number, "code", "code must have at most 8 characters and start with major_code")
            if not values["name"] or not values["major_name"]:
                report.error(number, "name", "name and major_name are required")
            if kind and (kind, values["code"]) in seen:
                report.error(number, "code", f"code {values['code']} appears twice")
            if len(report.errors) > known_errors:
                continue
            seen.add((kind, values["code"]))
            rows.append(CatalogueRow(kind, values["major_code"], values["major_name"], values["code"], values["name"]))
    finally:
        reader.close()
    if not report.ok:
        raise CatalogueError(_describe(path, report))
    return rows


def _describe(path: Path, report: ImportReport) -> str:
    """One line per bad row, its problems in the order they were found."""
    by_row: dict[int, list[str]] = {}
    for error in report.errors:
        by_row.setdefault(error.row, []).append(error.message)
    return "\n".join(f"{path.name} row {row}: {'; '.join(messages)}" for row, messages in by_row.items())
