"""Files a hostile or broken client sends: built in memory, a few KB each, for the upload tests of every import."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

FORMULAS = ['=HYPERLINK("http://evil.example/","点此")', "+1", "-1+1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def _book_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def far_cell_xlsx(header: list[str] | None = None) -> bytes:
    """A ~5 KB workbook whose one cell sits at XFD1048576: its dimension claims 17 billion cells."""
    book = Workbook()
    sheet = book.active
    if header:
        sheet.append(header)
    sheet["XFD1048576"] = "x"
    return _book_bytes(book)


def zip_bomb_xlsx(megabytes: int = 40) -> bytes:
    """A valid-looking workbook whose sheet XML unpacks to *megabytes* of blanks (compressed ~1000 times over)."""
    book = Workbook()
    book.active["A1"] = "x"
    plain = zipfile.ZipFile(io.BytesIO(_book_bytes(book)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in plain.infolist():
            data = plain.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                with bomb.open(item.filename, "w", force_zip64=True) as member:
                    head, tail = data.split(b"</worksheet>")
                    member.write(head)
                    blank = b" " * (1024 * 1024)
                    for _ in range(megabytes):
                        member.write(blank)
                    member.write(b"</worksheet>" + tail)
            else:
                bomb.writestr(item, data)
    return out.getvalue()


def named(content: bytes, name: str) -> io.BytesIO:
    buffer = io.BytesIO(content)
    buffer.name = name
    return buffer
