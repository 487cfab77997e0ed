"""Import of a filled self-evaluation workbook in the layout ``evaluation.selfeval.workbook`` exports.

The blocks are found by their labels in column A (项目名称…, 项目资金（万元）, 年度总体目标, 一级指标, 总分, 评价等级,
the text sections), the indicator columns by their header texts, so inserted or removed indicator rows are fine. The
whole workbook is read and checked first; every problem is reported with its row number (and column), and nothing is
written unless the workbook is good as a whole. A good workbook replaces the evaluation's header, funds, indicators
and texts; the scores, rates, total and grade it states are kept as *declared* figures where they differ from what the
platform computes, so the consistency checks can show each contradiction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from core import spreadsheets as kit
from evaluation.models.selfeval import Direction, FundsRow, ScoreMode
from evaluation.selfeval import layout as L
from evaluation.selfeval import scoring
from evaluation.selfeval.services import apply_import, funds_errors, indicator_errors

METRIC_IN_SOURCE = re.compile(r"\[([a-z_]+)\]")


@dataclass(frozen=True)
class RowError(kit.RowError):
    """A problem at a cell (row and column letter), or of the workbook as a whole (no row)."""

    def __str__(self) -> str:
        where = _("row %(row)s") % {"row": self.row} if self.row else _("workbook")
        return f"{where}{' ' + self.column if self.column else ''}: {self.message}"

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


LIMITS = L.UPLOAD_LIMITS


class WorkbookInvalid(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


@dataclass
class Parsed:
    header: dict = field(default_factory=dict)
    funds: dict = field(default_factory=dict)
    indicators: list = field(default_factory=list)
    declared_total: Decimal | None = None
    declared_grade: str = ""
    funds_declared_rate: Decimal | None = None
    funds_declared_score: Decimal | None = None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _number(value) -> Decimal | None:
    """A cell as a Decimal: numbers as they are, text like "95" or "95%" (as 95) too; None for blanks."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = str(value).strip().replace(",", "").replace("，", "")
    if text.endswith("%"):
        text = text[:-1]
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError from None


def _rate(value) -> Decimal | None:
    """A rate cell: a number formatted as % holds a fraction (0.9681 → 96.81); text "96.81%" reads as 96.81."""
    if isinstance(value, str):
        return scoring.q2(_number(value))
    number = _number(value)
    return None if number is None else scoring.q2(number * 100)


class _Reader:
    def __init__(self, rows):
        self.errors: list[RowError] = []
        self.rows = {r: list(values) for r, values in rows}

    def error(self, row: int | None, col: int | None, message: str) -> None:
        column = f"{get_column_letter(col)}" if col else ""
        if column and any(e.row == row and e.column == column for e in self.errors):
            return  # one message per cell is enough
        self.errors.append(RowError(row, column, message))

    def find(self, label: str, start: int = 1) -> int | None:
        for r in range(start, len(self.rows) + 1):
            if _text(self.rows[r][0] if self.rows[r] else None) == label:
                return r
        return None

    def value(self, r: int, c: int):
        row = self.rows.get(r) or []
        return row[c - 1] if c - 1 < len(row) else None

    def number(self, r: int, c: int, what: str) -> Decimal | None:
        try:
            return _number(self.value(r, c))
        except ValueError:
            self.error(r, c, _("%(what)s is not a number: %(value)s") % {"what": what, "value": self.value(r, c)})
            return None

    def rate(self, r: int, c: int, what: str) -> Decimal | None:
        try:
            return _rate(self.value(r, c))
        except ValueError:
            self.error(r, c, _("%(what)s is not a number: %(value)s") % {"what": what, "value": self.value(r, c)})
            return None


def parse_workbook(content: bytes, evaluation) -> Parsed:
    """Read and check the whole workbook against ``evaluation`` (its project and year); WorkbookInvalid lists
    every problem found."""
    try:
        with kit.SheetReader(BytesIO(content), sheet=L.SHEET_TITLE, limits=kit.Limits.from_settings(**LIMITS)) as sheet:
            reader = _Reader(sheet.rows(skip_blank=False))
    except kit.UploadRefused as exc:
        message = str(exc)
        if message == _("Not an Excel .xlsx file."):
            message = _("The file is not an Excel workbook (.xlsx).")
        raise WorkbookInvalid([RowError(None, "", message)]) from None
    parsed = Parsed()
    _header(reader, parsed, evaluation)
    _funds(reader, parsed)
    _goals(reader, parsed)
    _indicators(reader, parsed)
    _texts(reader, parsed)
    if reader.errors:
        raise WorkbookInvalid(reader.errors)
    return parsed


def _header(reader: _Reader, parsed: Parsed, evaluation) -> None:
    seen: dict[str, tuple[int, int, object]] = {}
    stop = reader.find(L.FUNDS_HEADER) or len(reader.rows)
    for r in range(1, stop):
        row = reader.rows[r] or []
        for c, value in enumerate(row, start=1):
            label = _text(value)
            if label in L.HEADER_LABELS and label not in seen:
                # The value is the next non-empty cell to the right (merged cells read empty past their first).
                nxt = c + 1
                while (
                    nxt <= len(row) and row[nxt - 1] is None and _text(reader.value(r, nxt + 1)) not in L.HEADER_LABELS
                ):
                    nxt += 1
                    if nxt - c > 8:
                        break
                seen[label] = (r, nxt, reader.value(r, nxt))
    if "项目名称" not in seen or "年度" not in seen:
        reader.error(
            None, None, _("The header block (项目名称, 年度) was not found: is this the self-evaluation form?")
        )
        return
    r, c, name = seen["项目名称"]
    if _text(name) != evaluation.project.name:
        reader.error(
            r,
            c,
            _("This workbook is for the project %(found)s, not %(expected)s.")
            % {"found": _text(name), "expected": evaluation.project.name},
        )
    r, c, year = seen["年度"]
    if _text(year) != str(evaluation.year):
        reader.error(
            r,
            c,
            _("This workbook is for the year %(found)s, not %(expected)s.")
            % {"found": _text(year), "expected": evaluation.year},
        )
    for label in ("实施单位", "项目负责人", "联系人", "联系电话"):
        if label in seen:
            parsed.header[L.HEADER_LABELS[label]] = _text(seen[label][2])
    if "填报日期" in seen:
        r, c, value = seen["填报日期"]
        if isinstance(value, datetime):
            parsed.header["filled_on"] = value.date()
        elif isinstance(value, date):
            parsed.header["filled_on"] = value
        elif value in (None, ""):
            parsed.header["filled_on"] = None
        else:
            try:
                parsed.header["filled_on"] = date.fromisoformat(_text(value))
            except ValueError:
                reader.error(r, c, _("The date %(value)s is not a date (YYYY-MM-DD).") % {"value": value})
    if not parsed.header.get("unit_name"):
        parsed.header.pop("unit_name", None)


def _funds(reader: _Reader, parsed: Parsed) -> None:
    start = reader.find(L.FUNDS_HEADER)
    if start is None:
        reader.error(None, None, _("The funds block (%(label)s) was not found.") % {"label": L.FUNDS_HEADER})
        return
    labels = {v: k for k, v in L.FUNDS_ROW_LABELS.items()}
    for r in range(start + 1, start + 1 + len(labels)):
        row_kind = labels.get(_text(reader.value(r, 1)))
        if row_kind is None:
            reader.error(r, 1, _("Expected one of the funds rows (%(labels)s).") % {"labels": "、".join(labels)})
            continue
        values = {"_row": r}
        for offset, field_name in enumerate(("initial_budget", "adjusted_budget", "executed")):
            values[field_name] = reader.number(r, 3 + offset, L.FUNDS_COLUMNS[offset])
        for field_name, message in funds_errors(values).items():
            col = 3 + ("initial_budget", "adjusted_budget", "executed").index(field_name)
            reader.error(r, col, message)
        parsed.funds[row_kind] = values
        if row_kind == FundsRow.TOTAL:
            weight = reader.number(r, 6, "分值")
            if weight is not None:
                parsed.header["funds_weight"] = weight
            parsed.funds_declared_rate = reader.rate(r, 7, "执行率")
            parsed.funds_declared_score = reader.number(r, 8, "得分")
            full = reader.rate(r, 9, "满分执行率")
            if full is not None:
                parsed.header["funds_full_rate"] = full


def _goals(reader: _Reader, parsed: Parsed) -> None:
    r = reader.find(L.GOALS_LABEL)
    if r is None:
        return
    parsed.header["goal_expected"] = _text(reader.value(r + 1, 2))
    parsed.header["goal_achieved"] = _text(reader.value(r + 1, 8))


def _indicators(reader: _Reader, parsed: Parsed) -> None:
    header_row = reader.find(L.INDICATOR_COLUMNS[0][1])
    total_row = reader.find(L.TOTAL_LABEL, header_row or 1)
    if header_row is None or total_row is None:
        reader.error(None, None, _("The indicator table (一级指标 … 总分) was not found."))
        return
    labels = {label: key for key, label in L.INDICATOR_COLUMNS}
    columns = {}
    for c, value in enumerate(reader.rows[header_row], start=1):
        if _text(value) in labels:
            columns[labels[_text(value)]] = c
    missing = [key for key in ("level1", "level2", "name", "weight", "score") if key not in columns]
    for key in missing:
        label = dict(L.INDICATOR_COLUMNS)[key]
        reader.error(header_row, None, _("The column %(label)s is missing.") % {"label": label})
    if missing:
        return
    level1 = level2 = ""
    for r in range(header_row + 1, total_row):
        cells = {key: reader.value(r, c) for key, c in columns.items()}
        if all(v in (None, "") for v in cells.values()):
            continue
        # Merged 一级/二级 cells read empty below their first row: carry the value down.
        level1 = _text(cells.get("level1")) or level1
        level2 = _text(cells.get("level2")) or level2
        parsed.indicators.append(_indicator(reader, r, columns, cells, level1, level2))
    weight_cell = reader.value(total_row, columns["weight"])
    del weight_cell  # the printed sum of weights is informative; the checks recompute it
    try:
        parsed.declared_total = scoring.q2(_number(reader.value(total_row, columns["score"])))
    except ValueError:
        reader.error(total_row, columns["score"], _("The total is not a number."))
    grade_row = reader.find(L.GRADE_LABEL, total_row)
    if grade_row:
        grade_text = _text(reader.value(grade_row, columns["weight"]))
        grade = scoring.grade_from_label(grade_text)
        if grade_text and not grade:
            reader.error(
                grade_row, columns["weight"], _("Unknown grade %(grade)s (优, 良, 中 or 差).") % {"grade": grade_text}
            )
        parsed.declared_grade = grade


def _indicator(reader: _Reader, r: int, columns: dict, cells: dict, level1: str, level2: str) -> dict:
    col = columns.get
    values: dict = {"_row": r, "level1": level1, "level2": level2, "name": _text(cells.get("name"))}
    direction_text = _text(cells.get("direction"))
    labels = {v: k for k, v in L.DIRECTION_LABELS.items()}
    direction = labels.get(direction_text) or L.DIRECTION_ALIASES.get(direction_text)
    if direction_text and direction is None:
        reader.error(
            r, col("direction"), _("Unknown direction %(value)s (≥, ≤, = or 定性).") % {"value": direction_text}
        )
    values["direction"] = direction or Direction.AT_LEAST
    for key, number_field, text_field in (
        ("target", "target_value", "target_text"),
        ("actual", "actual_value", "actual_text"),
    ):
        raw = cells.get(key)
        try:
            values[number_field], values[text_field] = _number(raw), ""
        except ValueError:
            values[number_field], values[text_field] = None, _text(raw)
    values["unit"] = _text(cells.get("unit"))
    values["weight"] = reader.number(r, col("weight"), "分值")
    mode_text = _text(cells.get("mode"))
    score_raw = cells.get("score")
    values["inapplicable"] = mode_text == L.MODE_INAPPLICABLE or _text(score_raw) == L.MODE_INAPPLICABLE
    values["manual_reason"] = _text(cells.get("manual_reason"))
    manual = mode_text == L.MODE_MANUAL or (not mode_text and bool(values["manual_reason"]))
    if mode_text and mode_text not in (L.MODE_RULE, L.MODE_MANUAL, L.MODE_INAPPLICABLE):
        reader.error(
            r, col("mode"), _("Unknown scoring %(value)s (规则计算, 人工评分 or 不适用).") % {"value": mode_text}
        )
    values["score_mode"] = ScoreMode.MANUAL if manual else ScoreMode.RULE
    score = None
    if not values["inapplicable"]:
        score = reader.number(r, col("score"), "得分")
    values["manual_score"] = scoring.q2(score) if manual else None
    values["declared_score"] = None if manual else scoring.q2(score)
    values["declared_rate"] = (
        None if values["inapplicable"] or "rate" not in columns else reader.rate(r, col("rate"), "得分率")
    )
    values["deviation"] = _text(cells.get("deviation"))
    match = METRIC_IN_SOURCE.search(_text(cells.get("source")))
    values["metric_key"] = match.group(1) if match else ""
    for field_name, message in indicator_errors(values).items():
        target_col = {
            "manual_score": col("score"),
            "manual_reason": col("manual_reason"),
            "score_mode": col("mode"),
            "metric_key": col("source"),
        }.get(field_name, col(field_name) if field_name in columns else None)
        reader.error(r, target_col, message)
    return values


def _texts(reader: _Reader, parsed: Parsed) -> None:
    for field_name, label in L.TEXT_LABELS.items():
        r = reader.find(label)
        if r is not None:
            parsed.header[field_name] = _text(reader.value(r, 3))


def import_workbook(evaluation_id: int, actor, content: bytes, filename: str = ""):
    """Parse, check and apply a workbook to the evaluation; WorkbookInvalid (nothing written) when it is not good."""
    from evaluation.models import SelfEvaluation

    if len(content) > LIMITS["max_bytes"]:
        raise WorkbookInvalid([RowError(None, "", _("The file is larger than 5 MB."))])
    evaluation = SelfEvaluation.objects.select_related("project").get(pk=evaluation_id)
    parsed = parse_workbook(content, evaluation)
    return apply_import(evaluation_id, actor, parsed, filename)


def run_job(job, progress) -> dict:
    """An import job's runner (``core.imports``): a workbook too big for the request, imported the same way."""
    with job.file.open("rb") as handle:
        content = handle.read()
    try:
        import_workbook(job.options["evaluation"], job.created_by, content, job.filename)
    except WorkbookInvalid as exc:
        return {"written": False, "errors": [{"field": e.column, **e.as_dict()} for e in exc.errors]}
    return {"written": True, "errors": []}
