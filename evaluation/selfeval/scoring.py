"""Scoring rules of the self-evaluation (docs/domain.md §7), as pure functions on ``Decimal``.

- "≥" (at least):  min(actual / target, 1) × weight; a target of 0 is met by any actual ≥ 0.
- "≤" (at most):   min(target / actual, 1) × weight; an actual of 0 (or anything ≤ target) earns full marks, and a
  target of 0 with a positive actual earns nothing.
- "=" (equal):     full marks when actual = target; otherwise proportional to the relative miss,
  max(0, 1 − |actual − target| / |target|) × weight (10 % off target keeps 90 % of the weight); a target of 0 earns
  full marks only for an actual of 0.
- Qualitative indicators and any row the unit scores by judgement: a manual score with a written reason.
- Inapplicable indicators are dropped and the weights of the others rescaled so they still add up to the indicators'
  total weight (each applicable weight × total / applicable total).
- Funds: min(rate / full_rate, 1) × weight, where rate = executed / full-year budget in percent and full_rate is
  100 % by default (a unit whose target reads "执行率不低于95%" sets 95).
- Total = the funds score + the indicators' scores; grade 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 below.

Scores and rates are rounded half-up to two decimals, as the finance forms print them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from evaluation.models.selfeval import Direction, Grade

CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
GRADE_THRESHOLDS = [(Decimal(90), Grade.EXCELLENT), (Decimal(80), Grade.GOOD), (Decimal(60), Grade.FAIR)]
GRADE_LABELS_ZH = {Grade.EXCELLENT: "优", Grade.GOOD: "良", Grade.FAIR: "中", Grade.POOR: "差"}


def q2(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def completion(direction: str, target: Decimal | None, actual: Decimal | None) -> Decimal | None:
    """The share of the weight a quantitative indicator earns (0..1), or None when it cannot be computed."""
    if direction == Direction.QUALITATIVE or target is None or actual is None:
        return None
    if direction == Direction.AT_LEAST:
        if target <= 0:
            return ONE if actual >= target else ZERO
        return max(ZERO, min(actual / target, ONE))
    if direction == Direction.AT_MOST:
        if actual <= target:
            return ONE
        if target <= 0:
            return ZERO
        return min(target / actual, ONE)
    if direction == Direction.EQUAL:
        if actual == target:
            return ONE
        if target == 0:
            return ZERO
        return max(ZERO, ONE - abs(actual - target) / abs(target))
    raise ValueError(f"unknown direction {direction!r}")


def rule_score(direction: str, target: Decimal | None, actual: Decimal | None, weight: Decimal) -> Decimal | None:
    share = completion(direction, target, actual)
    return None if share is None else q2(share * weight)


def effective_weights(rows: Sequence[tuple[Decimal, bool]]) -> list[Decimal | None]:
    """Weights after dropping inapplicable rows: ``rows`` are (weight, inapplicable); the applicable ones are scaled
    so they add up to the total of all weights. Inapplicable rows get None."""
    total = sum((w for w, _ in rows), ZERO)
    applicable = sum((w for w, off in rows if not off), ZERO)
    factor = total / applicable if applicable else ZERO
    return [None if off else q2(w * factor) for w, off in rows]


def funds_rate(executed: Decimal | None, budget: Decimal | None) -> Decimal | None:
    """执行率 B/A in percent (unrounded), or None without a budget."""
    if executed is None or not budget:
        return None
    return executed / budget * HUNDRED


def funds_score(rate: Decimal | None, weight: Decimal, full_rate: Decimal = HUNDRED) -> Decimal | None:
    if rate is None:
        return None
    full = full_rate if full_rate and full_rate > 0 else HUNDRED
    return q2(max(ZERO, min(rate / full, ONE)) * weight)


def total_of(scores: Iterable[Decimal | None]) -> Decimal:
    return q2(sum((s for s in scores if s is not None), ZERO))


def grade_for(total: Decimal | None) -> str:
    if total is None:
        return ""
    for threshold, grade in GRADE_THRESHOLDS:
        if total >= threshold:
            return grade
    return Grade.POOR


def grade_from_label(label: str) -> str:
    """'优'/'良'/'中'/'差' (or a Grade value) → Grade value; '' when unknown."""
    label = (label or "").strip()
    for grade, zh in GRADE_LABELS_ZH.items():
        if label in (zh, grade.value, str(grade.label)):
            return grade.value
    return ""
