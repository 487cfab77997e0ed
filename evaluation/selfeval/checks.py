"""Consistency checks run before a self-evaluation is exported. Each finding has a code, a severity, the row it
concerns and a sentence explaining it, so finance staff can fix the form rather than guess.

The contradictions these catch are the ones the 2022 seed reports show (docs/domain.md §7): Bishan's weights, 得分 and
得分率 columns disagree with each other and its total 93.74 is neither column's sum; its budget line reads
"1899305.84万元" where yuan were meant; Suizhou prints 20.33 / 21 = 96.8 % as 96 %.

Codes (severity):
- ``score_above_weight`` (error): a score larger than its (rescaled) weight, or the funds score above its weight.
- ``score_rate_mismatch`` (error): a declared 得分率 that is not score / weight.
- ``score_not_rule`` (error): a declared score differing from what the rule gives for its target and actual.
- ``manual_without_reason`` (error): a manual score with no written reason.
- ``missing_score`` (warning): an applicable indicator that cannot be scored (no actual value yet).
- ``weights_not_100`` (error): indicator weights + funds weight ≠ 100 (the seeds' 90 + 10).
- ``execution_above_budget`` (error): 全年执行数 above 全年预算数 on a funds row.
- ``funds_total_not_sum`` (error): the 年度资金总额 row is not the sum of the rows below it.
- ``unit_mixup`` (error): an amount implausibly large for 万元 (above ``MAX_PLAUSIBLE_WAN``), or standing
  ``MIXUP_GAP`` times or more above the block's other amounts (the magnitudes of every amount of every row are
  compared: the largest gap between them splits yuan from 万元); one finding per amount, naming every row it is on.
- ``funds_rate_mismatch`` (warning): a declared execution rate that is not executed / budget.
- ``total_not_sum`` (error): a total (stored or declared) that is not the funds score plus the indicator scores.
- ``grade_mismatch`` (error): a declared grade that the total does not give.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluation.models.selfeval import FundsRow, ScoreMode
from evaluation.selfeval import scoring
from evaluation.selfeval.services import FUNDS_AMOUNTS, Loaded

MAX_PLAUSIBLE_WAN = Decimal(100_000)  # 10 亿元: beyond any command centre's budget line, yet a typical yuan figure
MIN_YUAN_FIGURE = Decimal(1_000)  # below this, a gap is between small 万元 amounts (a few yuan carried over), not units
MIXUP_GAP = Decimal(2_000)  # a yuan figure beside 万元 figures is ~10,000 times larger; 2,000 leaves room for rounding
WEIGHT_SUM = Decimal(100)
SCORE_TOLERANCE = Decimal("0.01")
RATE_TOLERANCE = Decimal("0.01")
RATE_SLACK = Decimal("0.5")  # a 得分率 printed as a whole percent is still consistent


# The label of each finding's code, for the page and the workbook's 校验结果 sheet (codes stay in data attributes).
CHECK_LABELS = {
    "score_above_weight": gettext_lazy("Score above its weight"),
    "score_rate_mismatch": gettext_lazy("Score rate does not match the score"),
    "score_not_rule": gettext_lazy("Declared score differs from the rule"),
    "manual_without_reason": gettext_lazy("Manual score without a reason"),
    "missing_score": gettext_lazy("Score missing"),
    "weights_not_100": gettext_lazy("Weights do not add up to 100"),
    "execution_above_budget": gettext_lazy("Executed above the budget"),
    "funds_total_not_sum": gettext_lazy("Funds total is not the sum of its rows"),
    "unit_mixup": gettext_lazy("Yuan entered as 万元"),
    "funds_rate_mismatch": gettext_lazy("Execution rate does not match"),
    "total_not_sum": gettext_lazy("Total is not the sum of the scores"),
    "grade_mismatch": gettext_lazy("Grade does not match the total"),
}


def check_label(code: str) -> str:
    return str(CHECK_LABELS.get(code, code))


class Severity:
    ERROR = "error"
    WARNING = "warning"


@dataclass
class Finding:
    code: str
    severity: str
    row: dict  # {"kind": "indicator"|"funds"|"total"|"weights", "id": …, "label": …}
    message: str
    data: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return check_label(self.code)

    def as_dict(self) -> dict:
        return asdict(self)


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}".rstrip("0").rstrip(".")


def _indicator_row(indicator) -> dict:
    return {"kind": "indicator", "id": indicator.pk, "position": indicator.position + 1, "label": indicator.name}


def run_checks(data: Loaded) -> list[Finding]:
    findings: list[Finding] = []
    findings += _indicator_checks(data)
    findings += _weight_checks(data)
    findings += _funds_checks(data)
    findings += _total_checks(data)
    return findings


def _indicator_checks(data: Loaded) -> list[Finding]:
    out = []
    for ind in data.indicators:
        if ind.inapplicable:
            continue
        row = _indicator_row(ind)
        weight = ind.effective_weight if ind.effective_weight is not None else ind.weight
        if ind.score_mode == ScoreMode.MANUAL and not (ind.manual_reason or "").strip():
            out.append(
                Finding(
                    "manual_without_reason",
                    Severity.ERROR,
                    row,
                    _("The score of “%(name)s” was set by hand without a written reason.") % {"name": ind.name},
                )
            )
        if ind.score is None:
            out.append(
                Finding(
                    "missing_score",
                    Severity.WARNING,
                    row,
                    _("“%(name)s” has no score yet: enter its actual value or score it manually.") % {"name": ind.name},
                )
            )
        for label, score in ((_("score"), ind.score), (_("declared score"), ind.declared_score)):
            if score is not None and weight is not None and score > weight + SCORE_TOLERANCE:
                out.append(
                    Finding(
                        "score_above_weight",
                        Severity.ERROR,
                        row,
                        _("The %(what)s of “%(name)s” is %(score)s, above its weight %(weight)s.")
                        % {"what": label, "name": ind.name, "score": _fmt(score), "weight": _fmt(weight)},
                        {"score": str(score), "weight": str(weight)},
                    )
                )
        if ind.declared_score is not None and ind.score is not None and ind.declared_score != ind.score:
            out.append(
                Finding(
                    "score_not_rule",
                    Severity.ERROR,
                    row,
                    _(
                        "“%(name)s” was declared with %(declared)s points, but its target and actual value give "
                        "%(score)s."
                    )
                    % {"name": ind.name, "declared": _fmt(ind.declared_score), "score": _fmt(ind.score)},
                    {"declared": str(ind.declared_score), "computed": str(ind.score)},
                )
            )
        if ind.declared_rate is not None and weight:
            stated_score = ind.declared_score if ind.declared_score is not None else ind.score
            if stated_score is not None:
                implied = stated_score / weight * 100
                if abs(implied - ind.declared_rate) > RATE_SLACK:
                    out.append(
                        Finding(
                            "score_rate_mismatch",
                            Severity.ERROR,
                            row,
                            _(
                                "“%(name)s”: a score of %(score)s out of %(weight)s is %(implied)s%%, but its score "
                                "rate reads %(rate)s%%."
                            )
                            % {
                                "name": ind.name,
                                "score": _fmt(stated_score),
                                "weight": _fmt(weight),
                                "implied": _fmt(scoring.q2(implied)),
                                "rate": _fmt(ind.declared_rate),
                            },
                            {"score": str(stated_score), "weight": str(weight), "rate": str(ind.declared_rate)},
                        )
                    )
    return out


def _weight_checks(data: Loaded) -> list[Finding]:
    ev = data.evaluation
    indicator_weights = sum((i.weight or Decimal(0) for i in data.indicators), Decimal(0))
    total = indicator_weights + (ev.funds_weight or Decimal(0))
    if total == WEIGHT_SUM:
        return []
    return [
        Finding(
            "weights_not_100",
            Severity.ERROR,
            {"kind": "weights", "label": _("Weights")},
            _(
                "The weights add up to %(total)s (indicators %(indicators)s + funds %(funds)s); they must add up to "
                "100, usually 90 for the indicators and 10 for the funds."
            )
            % {"total": _fmt(total), "indicators": _fmt(indicator_weights), "funds": _fmt(ev.funds_weight)},
            {"total": str(total), "indicators": str(indicator_weights), "funds": str(ev.funds_weight)},
        )
    ]


def _funds_checks(data: Loaded) -> list[Finding]:
    out = []
    ev = data.evaluation
    lines = [
        data.funds[r] for r in (FundsRow.TOTAL, FundsRow.FISCAL, FundsRow.CARRIED, FundsRow.OTHER) if r in data.funds
    ]
    for line in lines:
        row = {"kind": "funds", "id": line.row, "label": str(line.get_row_display())}
        if line.executed is not None and line.adjusted_budget is not None and line.executed > line.adjusted_budget:
            out.append(
                Finding(
                    "execution_above_budget",
                    Severity.ERROR,
                    row,
                    _("%(row)s: executed %(executed)s万元 is above the full-year budget %(budget)s万元.")
                    % {"row": row["label"], "executed": _fmt(line.executed), "budget": _fmt(line.adjusted_budget)},
                    {"executed": str(line.executed), "budget": str(line.adjusted_budget)},
                )
            )
    out += _unit_mixups(lines)
    total_line = data.funds.get(FundsRow.TOTAL)
    parts = [data.funds[r] for r in (FundsRow.FISCAL, FundsRow.CARRIED, FundsRow.OTHER) if r in data.funds]
    if total_line is not None:
        for field_name in FUNDS_AMOUNTS:
            values = [getattr(p, field_name) for p in parts if getattr(p, field_name) is not None]
            stated = getattr(total_line, field_name)
            if values and stated is not None and abs(sum(values, Decimal(0)) - stated) > Decimal("0.000001"):
                out.append(
                    Finding(
                        "funds_total_not_sum",
                        Severity.ERROR,
                        {"kind": "funds", "id": FundsRow.TOTAL, "label": str(total_line.get_row_display())},
                        _("%(column)s: the total row reads %(total)s万元 but its rows add up to %(sum)s万元.")
                        % {
                            "column": str(total_line._meta.get_field(field_name).verbose_name),
                            "total": _fmt(stated),
                            "sum": _fmt(sum(values, Decimal(0))),
                        },
                        {"field": field_name},
                    )
                )
    if ev.funds_declared_rate is not None and ev.funds_rate is not None:
        if abs(ev.funds_declared_rate - ev.funds_rate) > RATE_TOLERANCE:
            out.append(
                Finding(
                    "funds_rate_mismatch",
                    Severity.WARNING,
                    {"kind": "funds", "id": FundsRow.TOTAL, "label": _("Execution rate")},
                    _("The execution rate was declared as %(declared)s%% but executed / budget is %(rate)s%%.")
                    % {"declared": _fmt(ev.funds_declared_rate), "rate": _fmt(ev.funds_rate)},
                    {"declared": str(ev.funds_declared_rate), "computed": str(ev.funds_rate)},
                )
            )
    for label, score in ((_("funds score"), ev.funds_score), (_("declared funds score"), ev.funds_declared_score)):
        if score is not None and score > ev.funds_weight + SCORE_TOLERANCE:
            out.append(
                Finding(
                    "score_above_weight",
                    Severity.ERROR,
                    {"kind": "funds", "id": FundsRow.TOTAL, "label": _("Funds")},
                    _("The %(what)s is %(score)s, above its weight %(weight)s.")
                    % {"what": label, "score": _fmt(score), "weight": _fmt(ev.funds_weight)},
                )
            )
    return out


def _unit_mixups(lines) -> list[Finding]:
    """Yuan typed where 万元 were meant. Every positive amount of the block, sorted by size: where two neighbours
    are ``MIXUP_GAP`` times apart or more, everything above the gap is in yuan (so is anything above
    ``MAX_PLAUSIBLE_WAN``). An amount repeated on several rows is one finding that names them all."""
    where: dict[Decimal, list[tuple[str, str]]] = {}
    for line in lines:
        for field_name in FUNDS_AMOUNTS:
            value = getattr(line, field_name)
            if value and value > 0:
                where.setdefault(value, []).append((str(line.get_row_display()), field_name))
    values = sorted(where)
    threshold = MAX_PLAUSIBLE_WAN
    for low, high in itertools.pairwise(values):
        if high / low >= MIXUP_GAP and high >= MIN_YUAN_FIGURE:
            threshold = min(threshold, high)
    out = []
    for value in values:
        if value < threshold and value <= MAX_PLAUSIBLE_WAN:
            continue
        rows = list(dict.fromkeys(label for label, _f in where[value]))
        out.append(
            Finding(
                "unit_mixup",
                Severity.ERROR,
                {"kind": "funds", "id": FundsRow.TOTAL, "label": "、".join(rows)},
                _(
                    "%(row)s: %(amount)s万元 is implausible beside the block's other amounts; it looks like an amount "
                    "in yuan (%(amount)s元 = %(wan)s万元)."
                )
                % {"row": "、".join(rows), "amount": _fmt(value), "wan": _fmt(value / 10_000)},
                {"fields": [f for _label, f in where[value]], "amount": str(value), "suggested": str(value / 10_000)},
            )
        )
    return out


def _total_checks(data: Loaded) -> list[Finding]:
    ev = data.evaluation
    out = []
    expected = scoring.total_of([ev.funds_score, *(i.score for i in data.indicators)])
    row = {"kind": "total", "label": _("Total")}
    for label, total in ((_("total"), ev.total), (_("declared total"), ev.declared_total)):
        if total is not None and abs(total - expected) > SCORE_TOLERANCE:
            out.append(
                Finding(
                    "total_not_sum",
                    Severity.ERROR,
                    row,
                    _("The %(what)s reads %(total)s, but the funds score and the indicator scores add up to %(sum)s.")
                    % {"what": label, "total": _fmt(total), "sum": _fmt(expected)},
                    {"total": str(total), "sum": str(expected)},
                )
            )
    if ev.declared_grade and ev.declared_grade != scoring.grade_for(expected):
        out.append(
            Finding(
                "grade_mismatch",
                Severity.ERROR,
                {"kind": "total", "label": _("Grade")},
                _("The declared grade is %(declared)s, but a total of %(sum)s gives %(grade)s.")
                % {
                    "declared": scoring.GRADE_LABELS_ZH.get(ev.declared_grade, ev.declared_grade),
                    "sum": _fmt(expected),
                    "grade": scoring.GRADE_LABELS_ZH.get(scoring.grade_for(expected), ""),
                },
            )
        )
    return out
