"""The spreadsheet kit: hostile uploads refused before parsing (fast, in a few MB), streamed reading within the
limits, and a writer that never writes text as a formula."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from core.spreadsheets import (
    CsvReader,
    HeaderAliases,
    Limits,
    SheetReader,
    StreamedSheet,
    UploadRefused,
    check_upload,
    neutralise,
    save,
    streamed_workbook,
    workbook_bytes,
)
from tests.hostile import FORMULAS, far_cell_xlsx, named, zip_bomb_xlsx


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _refusal(content: bytes, name: str = "file.xlsx") -> tuple[str, float, int]:
    """(message, seconds, peak bytes allocated) of refusing *content*."""
    upload = named(content, name)
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(UploadRefused) as refused:
        check_upload(upload, name)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return str(refused.value), elapsed, peak


def test_a_cell_at_xfd1048576_is_refused_in_milliseconds_naming_the_limit():
    content = far_cell_xlsx()
    assert len(content) < 10_000
    message, seconds, peak = _refusal(content)
    assert "1,048,576" in message and "500,000" in message
    assert seconds < 0.5 and peak < 2 * 1024 * 1024


def test_a_zip_bomb_is_refused_before_it_unpacks():
    content = zip_bomb_xlsx(40)
    assert len(content) < 200_000
    message, seconds, peak = _refusal(content)
    assert "zip bomb" in message
    assert seconds < 0.5 and peak < 2 * 1024 * 1024


def test_a_workbook_that_unpacks_beyond_the_total_limit_is_refused(settings):
    settings.SPREADSHEET_MAX_UNCOMPRESSED_BYTES = 10 * 1024 * 1024
    settings.SPREADSHEET_MAX_COMPRESSION_RATIO = 10_000
    message, _seconds, _peak = _refusal(zip_bomb_xlsx(20))
    assert "unpacks to 20 MB" in message and "10 MB" in message


def test_size_cap_and_files_that_are_not_workbooks(settings):
    settings.SPREADSHEET_MAX_UPLOAD_BYTES = 1000
    assert "the limit is 1 KB" in _refusal(b"x" * 2000, "big.csv")[0]
    settings.SPREADSHEET_MAX_UPLOAD_BYTES = 10_000_000
    assert _refusal(b"PK\x03\x04 not really", "fake.xlsx")[0] == "Not an Excel .xlsx file."
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("hello.txt", "hi")
    assert _refusal(archive.getvalue(), "other.xlsx")[0] == "Not an Excel .xlsx file."


def test_the_chinese_message_names_the_limit():
    from django.utils import translation

    with translation.override("zh-hans"):
        message = _refusal(far_cell_xlsx())[0]
    assert "500,000" in message and "行" in message


def test_row_and_column_limits_and_the_row_estimate(settings, tmp_path):
    book = Workbook()
    for n in range(20):
        book.active.append([n, "x"])
    path = tmp_path / "twenty.xlsx"
    book.save(path)
    assert check_upload(path).rows == 20
    settings.SPREADSHEET_MAX_ROWS = 10
    with pytest.raises(UploadRefused, match="at most 10 rows"):
        check_upload(path)
    settings.SPREADSHEET_MAX_ROWS = 100
    settings.SPREADSHEET_MAX_COLUMNS = 1
    with pytest.raises(UploadRefused, match="at most 1 columns"):
        check_upload(path)
    # A caller may be stricter than the site, never looser.
    assert Limits.from_settings(max_rows=5).max_rows == 5
    assert Limits.from_settings(max_rows=10**9).max_rows == 100


def test_csv_rows_are_capped_and_streamed_in_utf8_or_gbk(settings, tmp_path):
    path = tmp_path / "rows.csv"
    path.write_bytes("名称,编号\n".encode("gbk") + b"".join(f"行{n},{n}\n".encode("gbk") for n in range(30)))
    assert check_upload(path).rows == 31
    reader = CsvReader(path)
    rows = list(reader.rows())
    reader.close()
    assert rows[0] == (1, ["名称", "编号"]) and rows[-1] == (31, ["行29", "29"])
    settings.SPREADSHEET_MAX_ROWS = 20
    with pytest.raises(UploadRefused):
        CsvReader(path)


def test_a_sheet_without_a_dimension_is_counted_while_it_streams(settings):
    book = Workbook()
    for n in range(30):
        book.active.append([n])
    raw = io.BytesIO()
    book.save(raw)
    source = zipfile.ZipFile(raw)
    stripped = io.BytesIO()
    with zipfile.ZipFile(stripped, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:A30" />', b"").replace(b'<dimension ref="A1:A30"/>', b"")
                assert b"dimension" not in data
            out.writestr(item, data)
    settings.SPREADSHEET_MAX_ROWS = 20
    reader = SheetReader(named(stripped.getvalue(), "x.xlsx"))
    with pytest.raises(UploadRefused, match="more than 20 rows"):
        list(reader.rows())
    reader.close()


def test_header_aliases():
    aliases = HeaderAliases({"identifier": ("identifier", "部件标识码"), "lng": ("lng", "经度")})
    assert aliases.canonical(["部件标识码", " LNG ", "材质", "identifier"]) == [
        "identifier",
        "lng",
        "材质",
        "identifier",
    ]
    assert aliases.known(["材质", "经度"]) == {1: "lng"}


def _formula_elements(body: bytes) -> list[str]:
    archive = zipfile.ZipFile(io.BytesIO(body))
    return [name for name in archive.namelist() if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name)]


def test_the_streamed_writer_writes_formula_like_text_as_text():
    book = streamed_workbook()
    sheet = StreamedSheet(book, "列表")
    sheet.header(["内容"])
    for text in FORMULAS:
        sheet.append([text])
    sheet.append([-5])  # numbers stay numbers
    body = save(book)
    assert _formula_elements(body) == []
    cells = [row[0] for row in load_workbook(io.BytesIO(body)).active.iter_rows(min_row=2)]
    assert [c.value for c in cells[:-1]] == [f.replace("\r", "\n") for f in FORMULAS] and all(
        c.data_type == "s" for c in cells[:-1]
    )
    assert cells[-1].value == -5


def test_an_ordinary_workbook_is_neutralised_on_save():
    book = Workbook()
    for text in FORMULAS:
        book.active.append([text, 1])
    body = workbook_bytes(book)
    assert _formula_elements(body) == []
    values = [row[0] for row in load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True)]
    assert values == [f.replace("\r", "\n") for f in FORMULAS]  # XML reads a CR as a line feed
    assert neutralise(Workbook()) is not None


def test_shared_strings_are_capped_and_a_big_unpacked_workbook_goes_to_the_background(settings, tmp_path):
    from core.imports import runs_in_background

    book = Workbook()
    for n in range(200):
        book.active.append([f"unique text {n} " * 20])
    path = tmp_path / "strings.xlsx"
    book.save(path)
    info = check_upload(path)
    assert info.rows == 200 and info.unpacked > 50_000 and not runs_in_background(info)
    settings.IMPORT_BACKGROUND_BYTES = 50_000  # ten rows claimed, megabytes to unpack: not for the request
    assert runs_in_background(info)
    with zipfile.ZipFile(path, "a") as archive:  # openpyxl writes inline strings; other writers share them
        archive.writestr("xl/sharedStrings.xml", "<sst>" + "<si><t>text</t></si>" * 1000 + "</sst>")
    settings.SPREADSHEET_MAX_SHARED_STRINGS_BYTES = 10_000
    with pytest.raises(UploadRefused, match="shared strings unpack to 20 KB"):
        check_upload(path)
