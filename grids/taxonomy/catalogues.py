"""The class-code catalogues shipped in ``grids/fixtures/`` (分类代码: CSV code lists with columns
``kind,major_code,major_name,code,name``; kind ``matter`` = 事项 of GB/T 47678.5-2026 = our ``event``) and reading
one with row-numbered errors."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

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
    errors: list[str] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [col for col in CSV_COLUMNS if col not in (reader.fieldnames or [])]
        if missing:
            raise CatalogueError(f"{path.name}: missing columns {', '.join(missing)}")
        seen: set[tuple[str, str]] = set()
        for number, raw in enumerate(reader, start=2):
            values = {col: (raw.get(col) or "").strip() for col in CSV_COLUMNS}
            kind = CSV_KINDS.get(values["kind"])
            problems = []
            if kind is None:
                problems.append(f"kind {values['kind']!r} is not one of {', '.join(CSV_KINDS)}")
            if not values["major_code"] or len(values["major_code"]) > 2:
                problems.append("major_code must have 1–2 characters")
            if not values["code"] or len(values["code"]) > 8 or not values["code"].startswith(values["major_code"]):
                problems.append("code must have at most 8 characters and start with major_code")
            if not values["name"] or not values["major_name"]:
                problems.append("name and major_name are required")
            if kind and (kind, values["code"]) in seen:
                problems.append(f"code {values['code']} appears twice")
            if problems:
                errors.append(f"{path.name} row {number}: {'; '.join(problems)}")
                continue
            seen.add((kind, values["code"]))
            rows.append(CatalogueRow(kind, values["major_code"], values["major_name"], values["code"], values["name"]))
    if errors:
        raise CatalogueError("\n".join(errors))
    return rows
