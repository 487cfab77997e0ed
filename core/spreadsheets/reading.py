"""Reading spreadsheets row by row, never a whole sheet at once: .xlsx through openpyxl's read-only mode, CSV as a
text stream in UTF-8 or GB18030 (GBK), each after the checks of ``core.spreadsheets.safety``; and header aliases,
so files that name their columns in Chinese or English map onto one set of field names."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from core.spreadsheets.safety import Limits, Source, UploadRefused, check_csv, check_size, check_xlsx


def as_text(value: object) -> str:
    """Text of a cell; whole numbers read as floats from spreadsheets and DBF files lose their ``.0``."""
    if type(value) is str:  # nearly every cell: the fast path
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def is_blank(values: Iterable[object] | None) -> bool:
    return values is None or all(v in (None, "") or (isinstance(v, str) and not v.strip()) for v in values)


class HeaderAliases:
    """Field names and the headers files use for them (``{"identifier": ("identifier", "部件标识码", …)}``)."""

    def __init__(self, aliases: dict[str, tuple[str, ...]]) -> None:
        self.aliases = aliases
        self.lookup = {alias.strip().lower(): name for name, names in aliases.items() for alias in names}

    @staticmethod
    def normalise(header: object) -> str:
        return as_text(header).lower()

    def canonical(self, raw: Iterable[object]) -> list[str]:
        """Every column named: known headers under their field name (a second column for the same field keeps its
        own name), others under their own lower-cased header."""
        out: list[str] = []
        for cell in raw:
            name = self.normalise(cell)
            canonical = self.lookup.get(name, name)
            out.append(canonical if canonical not in out else name)
        return out

    def known(self, raw: Iterable[object]) -> dict[int, str]:
        """Column index → field name, for the known headers only."""
        mapping: dict[int, str] = {}
        for index, cell in enumerate(raw):
            name = self.lookup.get(self.normalise(cell))
            if name:
                mapping[index] = name
        return mapping


class SheetReader:
    """One worksheet of a checked .xlsx, streamed: ``rows()`` yields (row number, values) and stops with
    ``UploadRefused`` past the row limit (a sheet without a dimension is only counted as it streams)."""

    def __init__(self, source: Source, *, sheet: str | None = None, limits: Limits | None = None) -> None:
        from openpyxl import load_workbook

        self.limits = limits or Limits.from_settings()
        check_size(source, self.limits)
        check_xlsx(source, self.limits)
        try:
            self.book = load_workbook(source, read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not a workbook
            raise UploadRefused(_("Not an Excel .xlsx file.")) from None
        if not self.book.worksheets:
            self.book.close()
            raise UploadRefused(_("The workbook has no worksheet."))
        names = self.book.sheetnames
        self.sheet = self.book[sheet] if sheet in names else self.book.worksheets[0]

    def rows(self, *, skip_blank: bool = True) -> Iterator[tuple[int, tuple]]:
        # No max_col here: openpyxl would pad every row to it. A checked dimension already bounds the width; a sheet
        # without one is refused at its first row wider than the cap.
        max_columns = self.limits.max_columns
        for number, values in enumerate(self.sheet.iter_rows(values_only=True), start=1):
            if len(values) > max_columns:
                raise UploadRefused(
                    _("the sheet reaches column %(columns)s; at most %(limit)s columns are accepted.")
                    % {"columns": f"{len(values):,}", "limit": f"{max_columns:,}"}
                )
            if number > self.limits.max_rows:
                limit = f"{self.limits.max_rows:,}"
                raise UploadRefused(_("the sheet has more than %(limit)s rows (split the file).") % {"limit": limit})
            if skip_blank and is_blank(values):
                continue
            yield number, values

    def close(self) -> None:
        self.book.close()

    def __enter__(self) -> SheetReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def csv_encoding(path: str | Path) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as such, else GB18030 (GBK is a subset: inventories
    exported by older Chinese software). Decided by one streamed pass, never by loading the file."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as handle:
        try:
            while chunk := handle.read(1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8-sig"


class CsvReader:
    """A checked CSV file streamed row by row: ``rows()`` yields (line number, values)."""

    def __init__(self, path: str | Path, *, limits: Limits | None = None) -> None:
        self.limits = limits or Limits.from_settings()
        check_size(path, self.limits)
        check_csv(path, self.limits)
        self.handle = open(path, encoding=csv_encoding(path), newline="")

    def rows(self, *, skip_blank: bool = True) -> Iterator[tuple[int, list[str]]]:
        for number, values in enumerate(csv.reader(self.handle), start=1):
            if skip_blank and is_blank(values):
                continue
            yield number, values

    def close(self) -> None:
        self.handle.close()
