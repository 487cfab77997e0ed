"""The bulletin as an .xlsx workbook (openpyxl): one sheet per part, numbers stored as numbers, A4 landscape."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from core.spreadsheets import workbook_bytes
from evaluation.bulletins.services import CHANNEL_COUNTS, CHANNEL_RATES, TREND_RATES, fix_text
from evaluation.indicators import HOTLINE_FIGURES
from evaluation.models import Bulletin


def _number(value):
    if value is None:
        return None
    try:
        return float(Decimal(str(value)))
    except Exception:
        return value


def workbook(bulletin: Bulletin) -> bytes:
    """The bulletin as an .xlsx workbook (numbers stored as numbers; one sheet per part)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    figures = bulletin.figures
    labels = {d["key"]: d["label"] for d in figures.get("definitions", [])}
    formulas = {d["key"]: d["formula"] for d in figures.get("definitions", [])}
    book = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows: list[list], first: bool = False):
        ws = book.active if first else book.create_sheet()
        ws.title = title[:31]
        ws.append([_("%(year)s No. %(number)s monthly bulletin") % {"year": bulletin.year, "number": bulletin.number}])
        ws.append([f"{figures['period']['start']} – {figures['period']['end']}"])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append(header)
        for cell in ws[3]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True)
        for row in rows:
            ws.append(row)
        for index in range(1, len(header) + 1):
            ws.column_dimensions[get_column_letter(index)].width = 16
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.print_title_rows = "3:3"
        for row in ws.iter_rows(min_row=4):
            for cell in row:
                if isinstance(cell.value, float):
                    cell.number_format = "0.00"
        return ws

    sheet(
        _("Headline"),
        [_("Indicator"), _("This month"), _("Previous month"), _("Change from previous month"), _("Formula")],
        [
            [
                labels.get(h["key"], h["key"]),
                _number(h["value"]),
                _number(h["previous"]),
                _number(h["change"]),
                formulas.get(h["key"], ""),
            ]
            for h in figures["headline"]
        ],
        first=True,
    )

    def ranking(title: str, rows: list[dict], scheme: str):
        keys = [c["indicator"] for c in figures["composites"][scheme]["components"]]
        sheet(
            title,
            [_("Rank"), _("Name"), *[labels.get(k, k) for k in keys], _("Score"), _("Grade")],
            [
                [
                    r["rank"],
                    r["name"],
                    *[_number(r["rates"].get(k)) for k in keys],
                    _number(r.get("score")),
                    r.get("grade", ""),
                ]
                for r in rows
            ],
        )

    ranking(_("Departments"), figures["departments"], "department")
    ranking(_("Streets"), figures["streets"], "street")
    ranking(_("Collectors"), figures["collectors"], "collector")
    if figures.get("companies"):
        keys = [c["indicator"] for c in figures["composites"]["collector"]["components"]]
        sheet(
            _("Collection companies"),
            [_("Name"), _("Collectors"), *[labels.get(k, k) for k in keys], _("Score"), _("Grade")],
            [
                [
                    r["name"],
                    r["collectors"],
                    *[_number(r["rates"].get(k)) for k in keys],
                    _number(r["score"]),
                    r["grade"],
                ]
                for r in figures["companies"]
            ],
        )
    case_header = [
        _("Case number"),
        _("Class"),
        _("Address"),
        _("Department"),
        _("Received"),
        _("Deadline"),
        _("Reworks"),
    ]
    for title, key in ((_("Overdue cases"), "overdue_cases"), (_("Reworked cases"), "reworked_cases")):
        sheet(
            title,
            case_header,
            [
                [
                    c["case_no"],
                    c["class"],
                    c["address"],
                    c["department"],
                    c["received_at"],
                    c["deadline"],
                    c["rework_count"],
                ]
                for c in figures[key]["items"]
            ],
        )
    if figures.get("channels"):
        from cases.choices import CaseSource

        sheet(
            _("Channels"),
            [_("Channel"), *[labels.get(k, k) for k in (*CHANNEL_COUNTS, *CHANNEL_RATES)]],
            [
                [
                    str(CaseSource(c["source"]).label) if c["source"] in CaseSource.values else c["source"],
                    *[c["counts"][k] for k in CHANNEL_COUNTS],
                    *[_number(c["rates"][k]) for k in CHANNEL_RATES],
                ]
                for c in figures["channels"]
            ],
        )
    if figures.get("hotline"):
        sheet(
            _("Hotline"),
            [_("Indicator"), _("Value"), _("Formula")],
            [
                [
                    str(HOTLINE_FIGURES[k].label) if k in HOTLINE_FIGURES else k,
                    _number(v),
                    str(HOTLINE_FIGURES[k].formula) if k in HOTLINE_FIGURES else "",
                ]
                for k, v in figures["hotline"].items()
            ],
        )
    sheet(
        _("Trend"),
        [_("Month"), labels.get("reported", ""), labels.get("closed", ""), *[labels.get(k, k) for k in TREND_RATES]],
        [
            [t["month"], t["counts"]["reported"], t["counts"]["closed"], *[_number(t["rates"][k]) for k in TREND_RATES]]
            for t in figures["trend"]
        ],
    )
    sheet(_("To be fixed"), [_("Item")], [[fix_text(f)] for f in figures["fixes"]])
    sheet(
        _("Definitions"),
        [_("Indicator"), _("Formula"), _("Which cases count")],
        [[d["label"], d["formula"], d["counts"]] for d in figures["definitions"]],
    )
    return workbook_bytes(book)  # the spreadsheet kit: no text cell (a name, a fix item) can become a formula
