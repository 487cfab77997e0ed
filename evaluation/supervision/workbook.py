"""The company's monthly assessment as an .xlsx workbook, in the layout of the bulletin's: a title row, the period,
one bold header row repeated on every printed page, typed cells (rates as percentages, scores with two decimals,
dates as dates), columns as wide as their contents, A4 fitted to the page width. Two sheets: the items with the
month-on-month comparison and the total, and the month's inspection records. Formula-like text (a reason typed as
``=HYPERLINK(…)``) is written as text (``core.spreadsheets``)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from core.spreadsheets import workbook_bytes
from evaluation.bulletins.workbook import MAX_WIDTH, MIN_WIDTH, Percent, printed_width, write_typed
from evaluation.supervision.assessment import comparison
from evaluation.supervision.figures import month_bounds
from evaluation.supervision.models import Assessment, InspectionRecord, ItemSource


def _value(line, value):
    """A platform item's value is a rate (percent); a manual item's value is its score."""
    if value is None:
        return None
    return Percent(value) if line.source != ItemSource.MANUAL else Decimal(value)


def workbook(assessment: Assessment) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    start, end = month_bounds(assessment.month)
    book = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows: list[list], first: bool = False):
        ws = book.active if first else book.create_sheet()
        ws.title = title[:31]
        ws.append([_("Monthly assessment of %(company)s") % {"company": assessment.company}])
        ws.append([f"{start:%Y-%m-%d} – {end:%Y-%m-%d} · {assessment.get_status_display()}"])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append(header)
        for cell in ws[3]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for r, row in enumerate(rows, start=4):
            for c, value in enumerate(row, start=1):
                write_typed(ws.cell(row=r, column=c), value)
        for index in range(1, len(header) + 1):
            cells = [ws.cell(row=r, column=index) for r in range(3, 4 + len(rows))]
            width = max((printed_width(c.value, c.number_format) for c in cells), default=0) + 2
            ws.column_dimensions[get_column_letter(index)].width = min(max(width, MIN_WIDTH), MAX_WIDTH)
            if width > MAX_WIDTH:
                for c in cells[1:]:
                    c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "3:3"
        ws.freeze_panes = "A4"
        return ws

    compared = comparison(assessment)
    rows = [
        [
            row["line"].name,
            row["line"].get_source_display(),
            Decimal(row["line"].weight),
            None if row["line"].target is None else Percent(row["line"].target),
            None if row["line"].platform_value is None else Percent(row["line"].platform_value),
            _value(row["line"], row["line"].value),
            None if row["line"].score is None else Decimal(row["line"].score),
            None if row["previous_score"] is None else Decimal(row["previous_score"]),
            None if row["change"] is None else Decimal(row["change"]),
            row["line"].reason,
        ]
        for row in compared["rows"]
    ]
    prior = compared["previous"]
    rows.append(
        [
            _("Total"),
            "",
            sum((Decimal(r["line"].weight) for r in compared["rows"]), Decimal(0)),
            None,
            None,
            None,
            None if assessment.score is None else Decimal(assessment.score),
            None if prior is None or prior.score is None else Decimal(prior.score),
            None if compared["change"] is None else Decimal(compared["change"]),
            "",
        ]
    )
    ws = sheet(
        _("Assessment"),
        [
            _("Item"),
            _("Source"),
            _("Weight"),
            _("Target"),
            _("Platform value"),
            _("Value"),
            _("Score"),
            _("Previous month's score"),
            _("Change from previous month"),
            _("Reason"),
        ],
        rows,
        first=True,
    )
    for cell in ws[3 + len(rows)]:
        cell.font = bold
    records = InspectionRecord.objects.filter(inspected_on__range=(start, end)).select_related("collector", "case")
    sheet(
        _("Inspection records"),
        [
            _("Date"),
            _("Inspection team"),
            _("Collector inspected"),
            _("Kind"),
            _("Unit grid code"),
            _("Case"),
            _("Description"),
            _("Deduction (points)"),
        ],
        [
            [
                r.inspected_on,
                r.team,
                r.collector.get_full_name() or r.collector.get_username(),
                r.get_kind_display() + (f" ({_('reversal')})" if r.reverses_id else ""),
                r.grid_code,
                r.case.case_no if r.case else "",
                r.description,
                Decimal(r.deduction),
            ]
            for r in records.order_by("inspected_on", "id")
        ],
    )
    return workbook_bytes(book)
