"""Excel export of a self-evaluation in the finance bureau's layout (openpyxl).

One sheet 绩效自评表: title, header block, funds block, goals, the indicator table with merged 一级/二级 cells, total,
grade, text sections and signature lines, set up for A4 landscape printing fitted to the page width; a second sheet
校验结果 lists the consistency findings. Every figure is written as a number with a number format (amounts
``#,##0.00`` in 万元, rates as fractions formatted ``0.00%``), never as text, so the workbook can be re-imported
(``evaluation.selfeval.importer``) and finance staff can compute with it.

Where the unit declared a score, 得分率, execution rate, funds score, total or grade that differs from the platform's
(the ``declared_*`` fields), the sheet shows the declared figure, as the unit's own report does: the import reads it
back as declared, so an export → import round trip keeps every field, and the 校验结果 sheet explains each difference.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core import spreadsheets as kit
from evaluation.models.selfeval import FundsRow, ProjectKind, ScoreMode
from evaluation.selfeval import layout as L
from evaluation.selfeval import scoring
from evaluation.selfeval.checks import Finding, check_label, run_checks
from evaluation.selfeval.services import Loaded

NCOLS = len(L.INDICATOR_COLUMNS)
WIDTHS = [9, 10, 26, 7, 11, 8, 11, 7, 7, 8, 9, 20, 28, 22]
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FONT = "SimSun"
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT_TOP = Alignment(horizontal="left", vertical="top", wrap_text=True)


def workbook_filename(evaluation) -> str:
    return f"{evaluation.year}-{evaluation.project.name}-绩效自评表.xlsx"


def title_of(evaluation) -> str:
    if evaluation.project.kind == ProjectKind.WHOLE:
        return f"{evaluation.year}年度部门整体支出绩效自评表"
    return f"{evaluation.year}年度{evaluation.project.name}绩效自评表"


class _Sheet:
    """A cursor over the worksheet that writes bordered, merged cells row by row."""

    def __init__(self, ws: Worksheet):
        self.ws = ws
        self.row = 1

    def cell(self, col: int, value=None, *, fmt: str | None = None, bold=False, align=WRAP, to_col: int | None = None):
        ws = self.ws
        if isinstance(value, Decimal):
            value = float(value) if value != value.to_integral() else int(value)
        cell = ws.cell(row=self.row, column=col, value=value)
        cell.font = Font(name=FONT, size=10, bold=bold)
        cell.alignment = align
        if fmt:
            cell.number_format = fmt
        last = to_col or col
        for c in range(col, last + 1):
            ws.cell(row=self.row, column=c).border = BORDER
        if last > col:
            ws.merge_cells(start_row=self.row, start_column=col, end_row=self.row, end_column=last)
        return cell

    def height(self, text: str, width_chars: int, minimum: float = 18) -> None:
        self.ws.row_dimensions[self.row].height = max(minimum, 14 * _lines(text, width_chars) + 4)

    def height_of(self, texts: list[tuple[str, int]], minimum: float = 18) -> None:
        """Row height for the tallest of several wrapped cells: (text, column) pairs."""
        lines = max((_lines(text, _width(col, col)) for text, col in texts), default=1)
        self.ws.row_dimensions[self.row].height = max(minimum, 14 * lines + 4)


def _lines(text: str, width: int) -> int:
    """Wrapped lines of *text* in a cell *width* columns wide (a CJK character takes two columns)."""

    def span(part: str) -> int:
        return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in part)

    return sum(max(1, -(-span(part) // max(width - 1, 1))) for part in (text or "").split("\n"))


def _width(first: int, last: int) -> int:
    return int(sum(WIDTHS[first - 1 : last]))


def build_workbook(data: Loaded, findings: list[Finding] | None = None) -> Workbook:
    ev = data.evaluation
    findings = run_checks(data) if findings is None else findings
    wb = Workbook()
    ws = wb.active
    ws.title = L.SHEET_TITLE
    for index, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    s = _Sheet(ws)

    title = s.cell(1, title_of(ev), bold=True, align=CENTER, to_col=NCOLS)
    title.font = Font(name=FONT, size=16, bold=True)
    ws.row_dimensions[1].height = 30
    s.row = 2
    s.cell(1, f"填报单位（盖章）：{ev.unit_name}", to_col=9).border = Border()
    s.cell(10, L.AMOUNT_UNIT_NOTE, to_col=NCOLS, align=Alignment(horizontal="right"))
    for c in range(1, NCOLS + 1):
        ws.cell(row=2, column=c).border = Border()

    # Header block.
    s.row = 3
    s.cell(1, "项目名称", bold=True, align=CENTER)
    s.cell(2, ev.project.name, to_col=6)
    s.cell(7, "年度", bold=True, align=CENTER)
    s.cell(8, ev.year, align=CENTER)
    s.cell(9, "项目类型", bold=True, align=CENTER)
    s.cell(10, L.KIND_LABELS[ev.project.kind], to_col=NCOLS)
    s.row = 4
    s.cell(1, "主管部门", bold=True, align=CENTER)
    s.cell(2, ev.project.competent_department, to_col=6)
    s.cell(7, "实施单位", bold=True, align=CENTER)
    s.cell(8, ev.unit_name, to_col=NCOLS)
    s.row = 5
    s.cell(1, "项目负责人", bold=True, align=CENTER)
    s.cell(2, ev.project_leader, to_col=3)
    s.cell(4, "联系人", bold=True, align=CENTER)
    s.cell(5, ev.contact_person, to_col=6)
    s.cell(7, "联系电话", bold=True, align=CENTER)
    s.cell(8, ev.contact_phone, to_col=9)
    s.cell(10, "填报日期", bold=True, align=CENTER)
    s.cell(11, ev.filled_on, fmt=L.DATE_FORMAT, align=CENTER, to_col=NCOLS)

    # Funds block.
    s.row = 6
    s.cell(1, L.FUNDS_HEADER, bold=True, align=CENTER, to_col=2)
    for offset, label in enumerate(L.FUNDS_COLUMNS):
        s.cell(3 + offset, label, bold=True, align=CENTER)
    ws.row_dimensions[s.row].height = 30
    for row_kind in FundsRow:
        s.row += 1
        line = data.funds.get(row_kind)
        s.cell(1, L.FUNDS_ROW_LABELS[row_kind], to_col=2)
        for offset, field in enumerate(("initial_budget", "adjusted_budget", "executed")):
            s.cell(3 + offset, getattr(line, field) if line else None, fmt=L.AMOUNT_FORMAT)
        if row_kind == FundsRow.TOTAL:
            s.cell(6, ev.funds_weight, fmt=L.SCORE_FORMAT, align=CENTER)
            s.cell(7, _fraction(_stated(ev.funds_declared_rate, ev.funds_rate)), fmt=L.RATE_FORMAT, align=CENTER)
            s.cell(8, _stated(ev.funds_declared_score, ev.funds_score), fmt=L.SCORE_FORMAT, align=CENTER)
            s.cell(9, _fraction(ev.funds_full_rate), fmt=L.RATE_FORMAT, align=CENTER)
        else:
            rate = scoring.q2(line.rate) if line else None
            s.cell(6, "—", align=CENTER)
            s.cell(7, _fraction(rate), fmt=L.RATE_FORMAT, align=CENTER)
            s.cell(8, "—", align=CENTER)
            s.cell(9, "—", align=CENTER)

    # Goals.
    s.row += 1
    goals_row = s.row
    s.cell(1, L.GOALS_LABEL, bold=True, align=CENTER)
    s.cell(2, L.GOALS_COLUMNS[0], bold=True, align=CENTER, to_col=7)
    s.cell(8, L.GOALS_COLUMNS[1], bold=True, align=CENTER, to_col=NCOLS)
    s.row += 1
    s.cell(1)
    s.cell(2, ev.goal_expected, align=LEFT_TOP, to_col=7)
    s.cell(8, ev.goal_achieved, align=LEFT_TOP, to_col=NCOLS)
    s.height(max(ev.goal_expected, ev.goal_achieved, key=len), _width(2, 7), minimum=40)
    ws.merge_cells(start_row=goals_row, start_column=1, end_row=s.row, end_column=1)

    # Indicator table.
    s.row += 1
    header_row = s.row
    for col, (_key, label) in enumerate(L.INDICATOR_COLUMNS, start=1):
        s.cell(col, label, bold=True, align=CENTER)
    ws.row_dimensions[header_row].height = 30
    first = s.row + 1
    for indicator in data.indicators:
        s.row += 1
        _indicator_row(s, indicator, ev)
    _merge_runs(ws, data.indicators, first)

    # Total and grade.
    s.row += 1
    s.cell(1, L.TOTAL_LABEL, bold=True, align=CENTER, to_col=7)
    weights = sum((i.weight or Decimal(0) for i in data.indicators), Decimal(0)) + ev.funds_weight
    s.cell(8, weights, fmt=L.SCORE_FORMAT, align=CENTER)
    s.cell(9, _stated(ev.declared_total, ev.total), fmt=L.SCORE_FORMAT, align=CENTER, bold=True)
    note = "资金得分与各指标得分之和"
    if any(i.inapplicable for i in data.indicators):
        applicable = sum((i.weight for i in data.indicators if not i.inapplicable), Decimal(0))
        note += f"；不适用指标已剔除，其余指标分值按 {_plain(weights - ev.funds_weight)}/{_plain(applicable)} 折算"
    s.cell(10, note, to_col=NCOLS)
    s.row += 1
    s.cell(1, L.GRADE_LABEL, bold=True, align=CENTER, to_col=7)
    grade = ev.declared_grade or ev.grade
    s.cell(8, scoring.GRADE_LABELS_ZH.get(grade, ""), bold=True, align=CENTER, to_col=9)
    s.cell(10, "优≥90，良80–89，中60–79，差<60", to_col=NCOLS)

    # Text sections.
    for field, label in L.TEXT_LABELS.items():
        s.row += 1
        s.cell(1, label, bold=True, align=CENTER, to_col=2)
        text = getattr(ev, field)
        s.cell(3, text, align=LEFT_TOP, to_col=NCOLS)
        s.height(text, _width(3, NCOLS), minimum=36)

    # Signatures.
    s.row += 2
    s.cell(1, L.SIGNATURE_LINE, to_col=NCOLS).border = Border()
    for c in range(1, NCOLS + 1):
        ws.cell(row=s.row, column=c).border = Border()
    ws.row_dimensions[s.row].height = 30

    _print_setup(ws)
    _findings_sheet(wb, findings)
    return wb


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _stated(declared, computed):
    """The figure the unit declared where it kept one (only kept where it differs), else the platform's."""
    return computed if declared is None else declared


def _fraction(percent: Decimal | None) -> Decimal | None:
    return None if percent is None else percent / 100


def _indicator_row(s: _Sheet, ind, ev) -> None:
    s.cell(1, ind.level1, align=CENTER)
    s.cell(2, ind.level2, align=CENTER)
    s.cell(3, ind.name)
    s.cell(4, L.DIRECTION_LABELS.get(ind.direction, ""), align=CENTER)
    target = ind.target_value if ind.target_value is not None else (ind.target_text or None)
    s.cell(5, target, fmt=L.FIGURE_FORMAT, align=CENTER)
    s.cell(6, ind.unit, align=CENTER)
    actual = ind.actual_value if ind.actual_value is not None else (ind.actual_text or None)
    s.cell(7, actual, fmt=L.FIGURE_FORMAT, align=CENTER)
    s.cell(8, ind.weight, fmt=L.SCORE_FORMAT, align=CENTER)
    if ind.inapplicable:
        s.cell(9, L.MODE_INAPPLICABLE, align=CENTER)
        s.cell(10, None)
        s.cell(11, L.MODE_INAPPLICABLE, align=CENTER)
    else:
        manual = ind.score_mode == ScoreMode.MANUAL
        # A manual row's score is the unit's own figure already; a rule row shows a declared score beside the rule.
        score = ind.score if manual else _stated(ind.declared_score, ind.score)
        s.cell(9, score, fmt=L.SCORE_FORMAT, align=CENTER)
        rate = _stated(ind.declared_rate, scoring.q2(ind.score_rate))
        s.cell(10, _fraction(rate), fmt=L.RATE_FORMAT, align=CENTER)
        s.cell(11, L.MODE_MANUAL if manual else L.MODE_RULE, align=CENTER)
    s.cell(12, ind.manual_reason if ind.score_mode == ScoreMode.MANUAL else "")
    s.cell(13, ind.deviation)
    s.cell(14, source_text(ind, ev))
    reason = ind.manual_reason if ind.score_mode == ScoreMode.MANUAL else ""
    s.height_of([(ind.name, 3), (reason, 12), (ind.deviation, 13), (source_text(ind, ev), 14)], minimum=20)


def source_text(ind, ev) -> str:
    """数据来源 of the actual value: the bound metric key in brackets (the import reads it back) and the period."""
    src = (ind.sources or {}).get("actual", {})
    if ind.metric_key:
        text = f"{L.SOURCE_LABELS['metric']} [{ind.metric_key}]"
        if src.get("kind") == "metric" and src.get("start"):
            text += f" {src['start']}至{src['end']}"
        return text
    return L.SOURCE_LABELS.get(src.get("kind", "manual"), L.SOURCE_LABELS["manual"])


def _merge_runs(ws: Worksheet, indicators, first_row: int) -> None:
    """Merge consecutive equal 一级 cells in column A and equal (一级, 二级) cells in column B."""
    for col, key in ((1, lambda i: (i.level1,)), (2, lambda i: (i.level1, i.level2))):
        start = 0
        for index in range(1, len(indicators) + 1):
            if index == len(indicators) or key(indicators[index]) != key(indicators[start]):
                if index - start > 1:
                    ws.merge_cells(
                        start_row=first_row + start, start_column=col, end_row=first_row + index - 1, end_column=col
                    )
                start = index


def _print_setup(ws: Worksheet) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6


def _findings_sheet(wb: Workbook, findings: list[Finding]) -> None:
    ws = wb.create_sheet(L.FINDINGS_SHEET_TITLE)
    for col, (label, width) in enumerate((("检查项", 24), ("级别", 8), ("所在行", 36), ("说明", 100)), start=1):
        ws.cell(row=1, column=col, value=label).font = Font(name=FONT, bold=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    severity = {"error": "错误", "warning": "提示"}
    for r, finding in enumerate(findings, start=2):
        with translation.override("zh-hans"):  # the finance bureau's workbook is Chinese whoever exports it
            ws.cell(row=r, column=1, value=check_label(finding.code))
        ws.cell(row=r, column=2, value=severity.get(finding.severity, finding.severity))
        ws.cell(row=r, column=3, value=str(finding.row.get("label", ""))).alignment = Alignment(wrap_text=True)
        ws.cell(row=r, column=4, value=finding.message).alignment = Alignment(wrap_text=True)
    if not findings:
        ws.cell(row=2, column=1, value="—")
        ws.cell(row=2, column=4, value="未发现不一致之处")
    _print_setup(ws)


def workbook_bytes(data: Loaded, findings: list[Finding] | None = None) -> bytes:
    """The workbook as .xlsx bytes; texts typed by users (goals, indicator names, notes) never become formulas."""
    return kit.workbook_bytes(build_workbook(data, findings))
