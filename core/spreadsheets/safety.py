"""Checks an upload passes before any parser sees it: a spreadsheet is cheap to send and dear to read.

A 5 KB .xlsx whose one cell sits at XFD1048576 makes openpyxl fill 17 billion cells; a zip of zeros unpacks to
gigabytes. So the file's size, its zip directory (each entry's declared size and compression ratio: Python's zipfile
never inflates more than an entry declares) and each worksheet's ``<dimension ref=…>`` (in the first bytes of the
sheet XML) are checked against the limits first, in milliseconds and a few KB of memory. The same figures give the
row estimate that decides whether an import runs in the request or as a background job.

Limits come from settings (``SPREADSHEET_MAX_*``); a caller may lower them for one kind of file.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.utils.cell import range_boundaries

MB = 1024 * 1024
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?)\"")
_SHEET_ROOT = re.compile(rb"<(?:\w+:)?worksheet[\s>]")
_HEAD_BYTES = 64 * 1024  # the dimension comes before the data; sheet properties rarely take 1 KB
_CHUNK = 1024 * 1024
BYTES_PER_ROW_GUESS = 60  # for sheets without a dimension: the smallest plausible XML of one row


class UploadRefused(ValueError):
    """The upload is over a limit or is not the file it claims to be; the message says which, for its sender."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int
    max_columns: int
    max_uncompressed_bytes: int
    max_compression_ratio: int
    max_shared_strings_bytes: int

    @classmethod
    def from_settings(cls, **overrides: int) -> Limits:
        limits = cls(
            max_bytes=getattr(settings, "SPREADSHEET_MAX_UPLOAD_BYTES", 200 * MB),
            max_rows=getattr(settings, "SPREADSHEET_MAX_ROWS", 500_000),
            max_columns=getattr(settings, "SPREADSHEET_MAX_COLUMNS", 256),
            max_uncompressed_bytes=getattr(settings, "SPREADSHEET_MAX_UNCOMPRESSED_BYTES", 1024 * MB),
            max_compression_ratio=getattr(settings, "SPREADSHEET_MAX_COMPRESSION_RATIO", 100),
            # openpyxl holds a workbook's shared strings in memory (a few times their XML size), even read-only.
            max_shared_strings_bytes=getattr(settings, "SPREADSHEET_MAX_SHARED_STRINGS_BYTES", 100 * MB),
        )
        # A caller's limit may only be stricter than the site's.
        return replace(limits, **{k: min(v, getattr(limits, k)) for k, v in overrides.items() if v})


@dataclass(frozen=True)
class UploadInfo:
    suffix: str
    size: int
    rows: int  # estimated data rows (header included), decided without parsing
    unpacked: int = 0  # bytes a parser would read: an .xlsx's unpacked entries, else the file's size


Source = str | Path | BinaryIO


def _size(source: Source) -> int:
    if isinstance(source, str | Path):
        return Path(source).stat().st_size
    position = source.tell()
    source.seek(0, 2)
    size = source.tell()
    source.seek(position)
    return size


def _chunks(source: Source):
    handle = open(source, "rb") if isinstance(source, str | Path) else source
    try:
        handle.seek(0)
        while chunk := handle.read(_CHUNK):
            yield chunk
    finally:
        if handle is not source:
            handle.close()
        else:
            source.seek(0)


def _mb(value: int) -> str:
    return f"{value / MB:.0f} MB" if value >= MB else f"{value / 1024:.0f} KB"


def check_size(source: Source, limits: Limits) -> int:
    size = _size(source)
    if size > limits.max_bytes:
        raise UploadRefused(
            _("The file is %(size)s; the limit is %(limit)s.") % {"size": _mb(size), "limit": _mb(limits.max_bytes)}
        )
    return size


def _check_rows(rows: int, columns: int, limits: Limits, sheet: str = "") -> None:
    where = _("worksheet %(name)s: ") % {"name": sheet} if sheet else ""
    if rows > limits.max_rows:
        raise UploadRefused(
            where
            + _("the sheet reaches row %(rows)s; at most %(limit)s rows are accepted (split the file).")
            % {"rows": f"{rows:,}", "limit": f"{limits.max_rows:,}"}
        )
    if columns > limits.max_columns:
        raise UploadRefused(
            where
            + _("the sheet reaches column %(columns)s; at most %(limit)s columns are accepted.")
            % {"columns": f"{columns:,}", "limit": f"{limits.max_columns:,}"}
        )


def check_xlsx(source: Source, limits: Limits) -> int:
    """Refuse a workbook over the limits without parsing it; return the estimated number of rows."""
    return inspect_xlsx(source, limits)[0]


def inspect_xlsx(source: Source, limits: Limits) -> tuple[int, int]:
    """(estimated rows, unpacked bytes) of a workbook within the limits; ``UploadRefused`` otherwise."""
    not_xlsx = UploadRefused(_("Not an Excel .xlsx file."))
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_xlsx from None
    with archive:
        entries = archive.infolist()
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise not_xlsx
        total = sum(entry.file_size for entry in entries)
        if total > limits.max_uncompressed_bytes:
            raise UploadRefused(
                _("The workbook unpacks to %(size)s; the limit is %(limit)s.")
                % {"size": _mb(total), "limit": _mb(limits.max_uncompressed_bytes)}
            )
        strings = sum(e.file_size for e in entries if e.filename.lower().endswith("sharedstrings.xml"))
        if strings > limits.max_shared_strings_bytes:
            raise UploadRefused(
                _("The workbook's shared strings unpack to %(size)s; the limit is %(limit)s.")
                % {"size": _mb(strings), "limit": _mb(limits.max_shared_strings_bytes)}
            )
        for entry in entries:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if entry.file_size > MB and ratio > limits.max_compression_ratio:
                raise UploadRefused(
                    _("The workbook is compressed %(ratio)d times over (at most %(limit)s): refused as a zip bomb.")
                    % {"ratio": ratio, "limit": limits.max_compression_ratio}
                )
        rows = 0
        for entry in entries:
            if not entry.filename.endswith(".xml") or entry.is_dir():
                continue
            try:
                with archive.open(entry) as member:
                    head = member.read(_HEAD_BYTES)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
                raise not_xlsx from None  # damaged, encrypted or of an unknown compression
            if not _SHEET_ROOT.search(head[:4096]):
                continue
            found = _DIMENSION.search(head)
            if found:
                _min_col, _min_row, max_col, max_row = range_boundaries(found.group(1).decode())
                _check_rows(max_row or 0, max_col or 0, limits, Path(entry.filename).stem)
                rows = max(rows, max_row or 0)
            else:  # no dimension (some writers omit it): the rows are counted while streaming instead
                rows = max(rows, entry.file_size // BYTES_PER_ROW_GUESS)
    return rows, total


def check_csv(source: Source, limits: Limits) -> int:
    """Count the lines in 1 MB chunks (memory stays flat) and refuse a file with more than the row limit."""
    rows = 0
    for chunk in _chunks(source):
        rows += chunk.count(b"\n")
        if rows > limits.max_rows + 1:
            _check_rows(rows, 0, limits)
    return rows


def check_geojson(source: Source, limits: Limits) -> int:
    """A feature collection is parsed whole, so only its size is capped; its features are counted by their tag."""
    features = 0
    for chunk in _chunks(source):
        features += chunk.count(b'"Feature"')
    _check_rows(features, 0, limits)
    return features


CHECKS = {".xlsx": check_xlsx, ".csv": check_csv, ".geojson": check_geojson, ".json": check_geojson}


def check_upload(source: Source, name: str = "", limits: Limits | None = None) -> UploadInfo:
    """Check an upload (a path or a binary file) against the limits before anything parses it.

    Raises ``UploadRefused`` with a translated message naming the limit. Types without a check here (a zipped
    Shapefile) are held to the size limit only."""
    limits = limits or Limits.from_settings()
    suffix = Path(name or str(getattr(source, "name", source))).suffix.lower()
    size = check_size(source, limits)
    unpacked = size
    if suffix == ".xlsx":
        rows, unpacked = inspect_xlsx(source, limits)
    else:
        check = CHECKS.get(suffix)
        rows = check(source, limits) if check else 0
    if suffix == ".zip":
        _check_zip(source, limits)
    if not isinstance(source, str | Path):
        source.seek(0)
    return UploadInfo(suffix, size, rows, unpacked)


def _check_zip(source: Source, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(source) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadRefused(_("The file is not a valid .zip archive.")) from None
    total = sum(entry.file_size for entry in entries)
    if total > limits.max_uncompressed_bytes:
        raise UploadRefused(
            _("The archive unpacks to %(size)s; the limit is %(limit)s.")
            % {"size": _mb(total), "limit": _mb(limits.max_uncompressed_bytes)}
        )
