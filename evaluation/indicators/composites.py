"""Composite scores (综合评分): per scheme (department, street, collector, operator, shift leader, dispatcher) a
weighted sum of indicators, with default weights from the trade (docs/domain.md §5) that the admin overrides with
``ScoreWeight`` rows, and the grade letters A–E."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from evaluation.indicators.definitions import INDICATORS, RATES


@dataclass(frozen=True)
class Component:
    indicator: str
    weight: Decimal
    inverse: bool = False  # scores (100 − rate)


def _c(indicator: str, weight: int, inverse: bool = False) -> Component:
    return Component(indicator, Decimal(weight), inverse)


SCHEMES: dict[str, Promise] = {
    "department": _("Departments"),
    "street": _("Streets"),
    "collector": _("Collectors"),
    "operator": _("Operators"),
    "shift_leader": _("Shift leaders"),
    "dispatcher": _("Dispatchers"),
}

COMPOSITES: dict[str, list[Component]] = {
    # docs/domain.md §5: 处置率×30 + 按期处置率×20 + (1 − 返工率)×20 + (1 − 超期待处置率)×20 + (1 − 延期率)×10
    "department": [
        _c("disposal_rate", 30),
        _c("ontime_disposal_rate", 20),
        _c("rework_rate", 20, True),
        _c("overdue_open_rate", 20, True),
        _c("extension_rate", 10, True),
    ],
    # Streets answer for their area: how its cases were disposed and closed.
    "street": [
        _c("disposal_rate", 30),
        _c("ontime_disposal_rate", 30),
        _c("closure_rate", 20),
        _c("ontime_closure_rate", 20),
    ],
    # 有效上报率×40 % + (100 − 漏报率)×20 % + 按时核实率×20 % + 按时核查率×20 %
    "collector": [
        _c("collector_valid_report_rate", 40),
        _c("missed_report_rate", 20, True),
        _c("collector_ontime_verification_rate", 20),
        _c("collector_ontime_check_rate", 20),
    ],
    "operator": [_c("volume_score", 20), _c("operator_ontime_acceptance_rate", 80)],
    # 按时立案率×25 % + 准确立案率×40 % + 按时结案率×35 %
    "shift_leader": [
        _c("leader_ontime_registration_rate", 25),
        _c("leader_accurate_registration_rate", 40),
        _c("leader_ontime_closure_rate", 35),
    ],
    # volume score×20 % + 按时派遣率×40 % + 准确派遣率×40 %
    "dispatcher": [
        _c("volume_score", 20),
        _c("dispatcher_ontime_dispatch_rate", 40),
        _c("dispatcher_accurate_dispatch_rate", 40),
    ],
}

GRADES = [(Decimal(90), "A"), (Decimal(75), "B"), (Decimal(60), "C"), (Decimal(40), "D")]


def grade(score: Decimal | None) -> str:
    if score is None:
        return ""
    for floor, letter in GRADES:
        if score >= floor:
            return letter
    return "E"


def weights(scheme: str) -> list[Component]:
    """The scheme's components: the admin's ``ScoreWeight`` rows when there are any, else the defaults."""
    from evaluation.models import ScoreWeight

    rows = list(ScoreWeight.objects.filter(scheme=scheme).order_by("id"))
    if rows:
        return [Component(r.indicator, r.weight, r.inverse) for r in rows if r.indicator in RATES]
    return COMPOSITES[scheme]


def load_default_weights() -> int:
    """Write the default weights as editable rows (only those missing). Returns how many were added."""
    from evaluation.models import ScoreWeight

    added = 0
    for scheme, components in COMPOSITES.items():
        for component in components:
            _row, created = ScoreWeight.objects.get_or_create(
                scheme=scheme,
                indicator=component.indicator,
                defaults={"weight": component.weight, "inverse": component.inverse},
            )
            added += created
    return added


def weight_text(weight: Decimal) -> str:
    """30.00 → "30", 12.50 → "12.5"."""
    text = format(Decimal(weight).normalize(), "f")
    return text


def composite_formula(components: list[Component]) -> str:
    parts = []
    for c in components:
        label = str(INDICATORS[c.indicator].label)
        weight = weight_text(c.weight)
        parts.append(f"(100 − {label})×{weight}%" if c.inverse else f"{label}×{weight}%")
    return " + ".join(parts)
