"""Writing workbooks that cannot be turned against their reader, streamed where they can be long.

A text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel and LibreOffice
(OWASP "CSV/formula injection"): a case description ``=HYPERLINK("http://…","点此")`` would become a live link in
the export. Such text is written as a string cell with Excel's quote prefix (the spreadsheet's own form of the
leading apostrophe): the reader sees the text exactly as filed, the file holds no ``<f>`` element, and editing the
cell keeps it text. ``openpyxl`` would otherwise store any string starting with ``=`` as a formula.

``StreamedSheet`` is for lists (openpyxl write-only mode: memory stays flat however many rows); layouts with merged
cells (the self-evaluation, the bulletin) build an ordinary workbook and pass it through ``neutralise`` on save.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from io import BytesIO

from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def _as_text(cell) -> None:
    cell.data_type = "s"
    cell.quotePrefix = True


def neutralise(book: Workbook) -> Workbook:
    """Make every formula-like text cell of an ordinary workbook plain text (the last step before saving)."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if is_formula_like(cell.value):
                    _as_text(cell)
    return book


def workbook_bytes(book: Workbook) -> bytes:
    """An ordinary workbook as .xlsx bytes, neutralised."""
    buffer = BytesIO()
    neutralise(book).save(buffer)
    return buffer.getvalue()


def naive_local(value: datetime) -> datetime:
    """Excel has no time zones: a time is written as the reader's local wall time."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


class StreamedSheet:
    """One sheet of a write-only workbook: ``append(values)`` writes a row at once (times as local times, text
    never as a formula); ``header(titles, widths)`` writes a styled, frozen, filterable header row."""

    def __init__(self, book: Workbook, title: str) -> None:
        self.book = book
        self.sheet = book.create_sheet(str(title)[:31])
        self.rows = 0
        self.columns = 0
        self.time_format = "yyyy-mm-dd hh:mm"

    def cell(self, value: object) -> WriteOnlyCell:
        if isinstance(value, datetime):
            cell = WriteOnlyCell(self.sheet, value=naive_local(value))
            cell.number_format = self.time_format
            return cell
        if isinstance(value, Promise):
            value = str(value)  # a lazy translation
        cell = WriteOnlyCell(self.sheet, value=value)
        if is_formula_like(value):
            _as_text(cell)
        return cell

    def header(self, titles: Iterable[object], widths: Iterable[int] = (), *, font=None, fill=None) -> None:
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = "A2"
        cells = []
        for title in titles:
            cell = self.cell(str(title))
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill
            cells.append(cell)
        self.columns = len(cells)
        self.sheet.append(cells)

    def append(self, values: Iterable[object]) -> None:
        self.sheet.append([v if isinstance(v, Cell) else self.cell(v) for v in values])
        self.rows += 1

    def add_filter(self) -> None:
        """Filter buttons over the header and every written row (call after the last row)."""
        if self.columns:
            self.sheet.auto_filter.ref = f"A1:{get_column_letter(self.columns)}{self.rows + 1}"


def streamed_workbook() -> Workbook:
    return Workbook(write_only=True)


def save(book: Workbook, target=None) -> bytes | None:
    """Save a streamed workbook into *target* (a response, a file), or return its bytes."""
    if target is not None:
        book.save(target)
        return None
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
