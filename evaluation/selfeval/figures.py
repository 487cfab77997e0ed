"""The figures of a self-evaluation: where each came from (``source``, the system metrics an indicator may be bound
to), the pure recomputation every change ends with (``compute``: effective weights, rule scores, funds rate and
score, total, grade; declared figures are never overwritten), and the row checks shared by the finance page and the
importer. ``evaluation.selfeval.services`` re-exports these names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.models.selfeval import (
    Direction,
    FundsLine,
    FundsRow,
    Indicator,
    ScoreMode,
    SelfEvaluation,
)
from evaluation.selfeval import scoring

BUDGET_EXECUTION_KEY = "budget_execution_rate"  # computed here from the funds block, not by evaluation.metrics
FUNDS_AMOUNTS = ("initial_budget", "adjusted_budget", "executed")


# ---- sources ----------------------------------------------------------------------------------------------------


def source(kind: str, actor=None, **extra: Any) -> dict:
    """A figure's provenance: kind (metric, manual, import, rule, computed), who and when, plus details."""
    entry = {"kind": kind, "at": timezone.now().isoformat(timespec="seconds")}
    if actor is not None:
        entry["by"] = actor.get_username()
    entry.update({k: (v.isoformat() if isinstance(v, date) else v) for k, v in extra.items() if v not in (None, "")})
    return entry


def metric_choices() -> list[tuple[str, str]]:
    """The system metrics an indicator may be bound to (those of evaluation.metrics, plus budget execution)."""
    from evaluation.metrics import SYSTEM_METRICS

    choices = [(key, str(m.label)) for key, m in SYSTEM_METRICS.items()]
    return [*choices, (BUDGET_EXECUTION_KEY, _("Budget execution rate"))]


def metric_definition(key: str) -> tuple[str, str]:
    """(label, formula) of a system metric an indicator is bound to, for the tooltip on the finance page."""
    from evaluation.metrics import SYSTEM_METRICS

    if key == BUDGET_EXECUTION_KEY:
        return str(_("Budget execution rate")), str(_("executed / full-year budget × 100% (funds block, total row)"))
    metric = SYSTEM_METRICS.get(key)
    return (str(metric.label), str(metric.formula)) if metric else (key, "")


def metric_unit(key: str) -> str:
    from evaluation.metrics import SYSTEM_METRICS

    if key == BUDGET_EXECUTION_KEY:
        return "%"
    metric = SYSTEM_METRICS.get(key)
    return str(metric.unit) if metric else ""


def year_period(year: int) -> tuple[date, date]:
    """The period a year's figures cover: 1 January to 31 December, or to today while the year runs."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    return start, min(end, timezone.localdate())


# ---- computation ------------------------------------------------------------------------------------------------


@dataclass
class Loaded:
    """A self-evaluation with its rows in the order the form prints them."""

    evaluation: SelfEvaluation
    funds: dict[str, FundsLine]
    indicators: list[Indicator]


def load(evaluation: SelfEvaluation) -> Loaded:
    funds = {line.row: line for line in evaluation.funds.all()}
    indicators = list(evaluation.indicators.order_by("position", "id"))
    return Loaded(evaluation, funds, indicators)


def compute(data: Loaded) -> None:
    """Recompute every derived figure in memory: the funds total row where only its parts were typed, execution
    rate and funds score, effective weights, rule scores, the budget-execution binding, total and grade."""
    ev = data.evaluation
    total_line = data.funds.get(FundsRow.TOTAL)
    parts = [data.funds[r] for r in (FundsRow.FISCAL, FundsRow.CARRIED, FundsRow.OTHER) if r in data.funds]
    if total_line is not None:
        for field in FUNDS_AMOUNTS:
            values = [getattr(p, field) for p in parts if getattr(p, field) is not None]
            if getattr(total_line, field) is None and values:
                setattr(total_line, field, sum(values, Decimal(0)))
                total_line.sources[field] = source("computed", rule="sum of the rows below")
    rate = scoring.funds_rate(total_line.executed, total_line.adjusted_budget) if total_line else None
    ev.funds_rate = scoring.q2(rate)
    ev.funds_score = scoring.funds_score(rate, ev.funds_weight, ev.funds_full_rate)
    ev.sources["funds_score"] = source(
        "rule", rule="min(rate / full_rate, 1) × weight", full_rate=str(ev.funds_full_rate)
    )

    weights = scoring.effective_weights([(i.weight or Decimal(0), i.inapplicable) for i in data.indicators])
    for indicator, weight in zip(data.indicators, weights, strict=True):
        indicator.effective_weight = weight
        if indicator.metric_key == BUDGET_EXECUTION_KEY and not indicator.inapplicable:
            indicator.actual_value = ev.funds_rate
            indicator.sources["actual"] = source("computed", metric=BUDGET_EXECUTION_KEY)
        if indicator.inapplicable:
            indicator.score = None
            indicator.sources["score"] = source("inapplicable")
        elif indicator.score_mode == ScoreMode.MANUAL:
            indicator.score = indicator.manual_score
            indicator.sources["score"] = source("manual", reason=indicator.manual_reason)
        else:
            indicator.score = scoring.rule_score(
                indicator.direction, indicator.target_value, indicator.actual_value, weight
            )
            indicator.sources["score"] = source("rule", rule=indicator.direction)
        if indicator.declared_score is not None and indicator.declared_score == indicator.score:
            indicator.declared_score = None
        rate_now = scoring.q2(indicator.score_rate)
        if indicator.declared_rate is not None and indicator.declared_rate == rate_now:
            indicator.declared_rate = None
    ev.total = scoring.total_of([ev.funds_score, *(i.score for i in data.indicators)])
    ev.grade = scoring.grade_for(ev.total)
    ev.sources["total"] = source("computed", rule="funds score + indicator scores")
    if ev.declared_total is not None and ev.declared_total == ev.total:
        ev.declared_total = None
    if ev.declared_grade and ev.declared_grade == ev.grade:
        ev.declared_grade = ""
    if ev.funds_declared_rate is not None and ev.funds_declared_rate == ev.funds_rate:
        ev.funds_declared_rate = None
    if ev.funds_declared_score is not None and ev.funds_declared_score == ev.funds_score:
        ev.funds_declared_score = None
    ev.computed_at = timezone.now()


def save_loaded(data: Loaded) -> None:
    data.evaluation.save()
    for line in data.funds.values():
        line.save()
    for indicator in data.indicators:
        indicator.save()


def recompute(evaluation: SelfEvaluation) -> Loaded:
    data = load(evaluation)
    compute(data)
    save_loaded(data)
    return data


# ---- validation shared by the page and the importer ---------------------------------------------------------------


def indicator_errors(values: dict) -> dict[str, str]:
    """Field → message for an indicator row that cannot be scored as entered (empty when it is fine)."""
    errors: dict[str, str] = {}
    for field in ("level1", "level2", "name"):
        if not (values.get(field) or "").strip():
            errors[field] = _("This field is required.")
    weight = values.get("weight")
    if weight is None:
        errors["weight"] = _("This field is required.")
    elif weight < 0 or weight > 100:
        errors["weight"] = _("A weight lies between 0 and 100.")
    key = values.get("metric_key") or ""
    if key and key not in dict(metric_choices()):
        errors["metric_key"] = _("Unknown system metric %(key)s.") % {"key": key}
    manual = values.get("score_mode") == ScoreMode.MANUAL
    if manual and not values.get("inapplicable"):
        if values.get("manual_score") is None:
            errors["manual_score"] = _("A manual score needs the score.")
        elif values["manual_score"] < 0:
            errors["manual_score"] = _("A score cannot be negative.")
        if not (values.get("manual_reason") or "").strip():
            errors["manual_reason"] = _("A manual score needs a written reason.")
    if values.get("direction") == Direction.QUALITATIVE and not manual and not values.get("inapplicable"):
        errors["score_mode"] = _("A qualitative indicator is scored manually, with a reason.")
    return errors


def funds_errors(values: dict) -> dict[str, str]:
    errors = {}
    for field in FUNDS_AMOUNTS:
        value = values.get(field)
        if value is not None and value < 0:
            errors[field] = _("An amount cannot be negative.")
    return errors
