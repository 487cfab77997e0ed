"""The spreadsheet kit every import and export uses (表格工具): checks before parsing, streamed reading with header
aliases, the row-numbered import report, and a streamed writer that never writes text as a formula.

- ``safety``: ``check_upload`` — size, real .xlsx zip, zip-bomb and sheet-dimension limits, before any parser runs.
- ``reading``: ``SheetReader`` / ``CsvReader`` (streamed), ``HeaderAliases``, ``as_text``.
- ``report``: ``RowError`` and ``ImportReport``.
- ``writing``: ``StreamedSheet`` (write-only lists), ``neutralise`` / ``workbook_bytes`` (layouts), ``XLSX``.
"""

from core.spreadsheets.reading import CsvReader, HeaderAliases, SheetReader, as_text, is_blank
from core.spreadsheets.report import ImportReport, RowError
from core.spreadsheets.safety import Limits, UploadInfo, UploadRefused, check_upload
from core.spreadsheets.writing import (
    XLSX,
    StreamedSheet,
    is_formula_like,
    naive_local,
    neutralise,
    save,
    streamed_workbook,
    workbook_bytes,
)

__all__ = [
    "XLSX",
    "CsvReader",
    "HeaderAliases",
    "ImportReport",
    "Limits",
    "RowError",
    "SheetReader",
    "StreamedSheet",
    "UploadInfo",
    "UploadRefused",
    "as_text",
    "check_upload",
    "is_blank",
    "is_formula_like",
    "naive_local",
    "neutralise",
    "save",
    "streamed_workbook",
    "workbook_bytes",
]
