"""The bulletin as an .xlsx workbook (openpyxl): one sheet per part, printed on A4 as a supervisor hands it out.

Every cell has the type of what it holds: counts are whole numbers (``#,##0``), rates are fractions shown as
percentages (``0.00%``; the figures keep them in percent), times and months are real dates, and scores have two
decimals. Every sheet fits the page width (landscape when its columns are wider than a portrait page), repeats its
header row on each printed page, and has its columns as wide as their contents.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.spreadsheets import workbook_bytes
from evaluation.bulletins.services import CHANNEL_COUNTS, CHANNEL_RATES, TREND_RATES, fix_text, home_rows
from evaluation.indicators import HOTLINE_FIGURES, INDICATORS
from evaluation.models import Bulletin

COUNT_FORMAT = "#,##0"
RATE_FORMAT = "0.00%"
SCORE_FORMAT = "0.00"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
MONTH_FORMAT = "yyyy-mm"
# Column widths in characters (a CJK character counts two): wide enough for the contents, text wraps beyond MAX.
MIN_WIDTH, MAX_WIDTH = 8, 50
# A sheet prints landscape when its columns are wider than this in all (characters: a portrait A4 page holds about
# 90 at 100 %) or when it has more columns than this (a ranking table of rates reads better across the page).
PORTRAIT_WIDTH, PORTRAIT_COLUMNS = 90, 6


class Percent(Decimal):
    """A rate in percent as the figures keep it (``"95.50"``); written as the fraction 0.955 formatted ``0.00%``."""


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _count(value) -> int | None:
    number = _decimal(value)
    return None if number is None else int(number)


def _score(value) -> float | None:
    number = _decimal(value)
    return None if number is None else float(number)


def _percent(value) -> Percent | None:
    number = _decimal(value)
    return None if number is None else Percent(number)


def _figure(key: str, value):
    """An indicator's value: a percentage for a rate, a whole number for a count."""
    indicator = INDICATORS.get(key)
    return _percent(value) if indicator is None or indicator.is_rate else _count(value)


def _time(text: str | None) -> datetime | None:
    return datetime.strptime(text, "%Y-%m-%d %H:%M") if text else None


class Month(datetime):
    """A month of the trend: written as its first day, formatted ``yyyy-mm``."""


def _month(text: str) -> Month:
    return Month.strptime(text, "%Y-%m")


def write_typed(cell, value) -> None:
    """Write *value* with the number format its kind calls for."""
    if isinstance(value, Percent):
        cell.value, cell.number_format = float(value / 100), RATE_FORMAT
    elif isinstance(value, bool) or value is None:
        cell.value = value
    elif isinstance(value, int):
        cell.value, cell.number_format = value, COUNT_FORMAT
    elif isinstance(value, float | Decimal):
        cell.value, cell.number_format = float(value), SCORE_FORMAT
    elif isinstance(value, Month):
        cell.value, cell.number_format = datetime(value.year, value.month, 1), MONTH_FORMAT
    elif isinstance(value, datetime):
        cell.value, cell.number_format = value, TIME_FORMAT
    elif isinstance(value, date):
        cell.value, cell.number_format = value, "yyyy-mm-dd"
    else:
        cell.value = value


def printed_width(value, number_format: str) -> int:
    """Printed width of a cell in characters (a CJK character takes two)."""
    if value is None:
        return 0
    if isinstance(value, datetime | date):
        return len(number_format)
    if isinstance(value, int | float):
        return len(f"{value:,.2f}") + 1
    return max(sum(2 if ord(ch) >= 0x2E80 else 1 for ch in line) for line in str(value).split("\n"))


def workbook(bulletin: Bulletin) -> bytes:
    """The bulletin as an .xlsx workbook (typed cells, one sheet per part, each set up to print on A4)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    figures = bulletin.figures
    labels = {d["key"]: d["label"] for d in figures.get("definitions", [])}
    formulas = {d["key"]: d["formula"] for d in figures.get("definitions", [])}
    book = Workbook()
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def sheet(title: str, header: list[str], rows: list[list], first: bool = False):
        ws = book.active if first else book.create_sheet()
        ws.title = title[:31]
        ws.append([_("%(year)s No. %(number)s monthly bulletin") % {"year": bulletin.year, "number": bulletin.number}])
        ws.append([f"{figures['period']['start']} – {figures['period']['end']}"])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append(header)
        for cell in ws[3]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for r, row in enumerate(rows, start=4):
            for c, value in enumerate(row, start=1):
                write_typed(ws.cell(row=r, column=c), value)
        # Fitted widths from the header and data rows (the title rows may run over empty neighbours).
        widths = []
        for index in range(1, len(header) + 1):
            cells = [ws.cell(row=r, column=index) for r in range(3, 4 + len(rows))]
            width = max((printed_width(c.value, c.number_format) for c in cells), default=0) + 2
            widths.append(min(max(width, MIN_WIDTH), MAX_WIDTH))
            ws.column_dimensions[get_column_letter(index)].width = widths[-1]
            if width > MAX_WIDTH:
                for c in cells[1:]:
                    c.alignment = wrap
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        wide = sum(widths) > PORTRAIT_WIDTH or len(widths) > PORTRAIT_COLUMNS
        ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if wide else ws.ORIENTATION_PORTRAIT
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # one page wide, as many long as it takes
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.print_title_rows = "3:3"
        ws.freeze_panes = "A4"
        return ws

    sheet(
        _("Headline"),
        [_("Indicator"), _("This month"), _("Previous month"), _("Change from previous month"), _("Formula")],
        [
            [
                labels.get(h["key"], h["key"]),
                _figure(h["key"], h["value"]),
                _figure(h["key"], h["previous"]),
                _figure(h["key"], h["change"]),  # for a rate: the change in percentage points
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
                    *[_figure(k, r["rates"].get(k)) for k in keys],
                    _score(r.get("score")),
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
                    *[_figure(k, r["rates"].get(k)) for k in keys],
                    _score(r["score"]),
                    r["grade"],
                ]
                for r in figures["companies"]
            ],
        )
    if figures.get("collector_homes"):
        sheet(
            _("By home department"),
            [
                _("Home department"),
                _("Part-time"),
                _("Collectors"),
                _("Collectors reporting"),
                _("Reports"),
                _("Valid reports"),
                _("Valid report rate"),
                _("Share of the reports"),
            ],
            [
                [
                    str(h["label"]),
                    (_("Yes") if h["part_time"] else _("No")) if "part_time" in h else "",
                    *[_count(h["counts"][k]) for k in ("collectors", "reporting", "reports", "valid_reports")],
                    _percent(h["valid_report_rate"]),
                    _percent(h["share"]),
                ]
                for h in home_rows(figures)
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
                    _time(c["received_at"]),
                    _time(c["deadline"]),
                    _count(c["rework_count"]),
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
                    *[_count(c["counts"][k]) for k in CHANNEL_COUNTS],
                    *[_percent(c["rates"][k]) for k in CHANNEL_RATES],
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
                    _percent(v) if k.endswith("_rate") else _count(v),
                    str(HOTLINE_FIGURES[k].formula) if k in HOTLINE_FIGURES else "",
                ]
                for k, v in figures["hotline"].items()
            ],
        )
    sheet(
        _("Trend"),
        [_("Month"), labels.get("reported", ""), labels.get("closed", ""), *[labels.get(k, k) for k in TREND_RATES]],
        [
            [
                _month(t["month"]),
                _count(t["counts"]["reported"]),
                _count(t["counts"]["closed"]),
                *[_percent(t["rates"][k]) for k in TREND_RATES],
            ]
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
