"""热点分析 as an Excel workbook: the three rankings with their change, and the recurring problems with their cases,
written through the spreadsheet kit (typed cells, text never a formula)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl.styles import Font, PatternFill

from core.spreadsheets import StreamedSheet, save, streamed_workbook

HEADER = {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="DDEBF7")}


def hotspot_workbook(
    query, rankings: dict[str, list[dict]], recurring: list[dict], n: int, m: int
) -> tuple[bytes, int]:
    """(bytes, rows written) of the workbook."""
    book = streamed_workbook()
    rows = 0
    titles = {"grid": _("Unit grids"), "community": _("Communities"), "class": _("Classes")}
    period = f"{query.start.isoformat()} – {query.end.isoformat()}"
    for dimension, title in titles.items():
        sheet = StreamedSheet(book, title)
        sheet.header(
            [
                _("Rank"),
                _("Code") if dimension != "class" else _("Class"),
                _("Name"),
                _("Cases"),
                _("Previous period"),
                _("Change"),
                _("Change %"),
                _("Period"),
            ],
            [6, 18, 24, 8, 10, 8, 9, 24],
            **HEADER,
        )
        for row in rankings[dimension]:
            key = row["name"] if dimension == "class" else row["key"]
            name = "" if dimension == "class" else row["name"]
            sheet.append(
                [row["rank"], key, name, row["cases"], row["previous"], row["change"], row["change_rate"], period]
            )
        sheet.add_filter()
        rows += sheet.rows
    sheet = StreamedSheet(book, _("Recurring problems"))
    sheet.header(
        [
            _("Unit grid code"),
            _("Unit grid"),
            _("Class"),
            _("Cases in the window"),
            _("Case number"),
            _("Received"),
            _("Status"),
            _("Address"),
        ],
        [17, 18, 24, 10, 16, 17, 10, 30],
        **HEADER,
    )
    for problem in recurring:
        for case in problem["cases"]:
            sheet.append(
                [
                    problem["grid_code"],
                    problem["grid_name"],
                    problem["class_name"],
                    problem["count"],
                    case["case_no"],
                    case["received_at"],
                    case["status_label"],
                    case["address"],
                ]
            )
    sheet.append([])
    sheet.append([_("At least %(n)s cases of one class in one unit grid within %(m)s days") % {"n": n, "m": m}])
    sheet.add_filter()
    rows += sheet.rows
    return save(book), rows
