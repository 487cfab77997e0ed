"""``Figures``: the summed rollup measures of one group (a department, a street, a person…) over a period, which
evaluate any indicator and composite score; and the queries that sum them per group."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.db.models.functions import Substr

from evaluation.indicators.composites import Component
from evaluation.indicators.definitions import INDICATORS, TWO, sum_terms
from evaluation.models.facts import CASE_MEASURES, PERSON_MEASURES


def _q(value: Decimal) -> Decimal:
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    """Summed measures of one group over a period."""

    totals: dict[str, int] = field(default_factory=dict)

    def count(self, key: str) -> int:
        return int(self.totals.get(key, 0) or 0)

    def rate(self, key: str) -> Decimal | None:
        indicator = INDICATORS[key]
        if not indicator.is_rate:
            return Decimal(self.count(key))
        denominator = sum_terms(self.totals, indicator.denominator)
        if denominator <= 0:
            return None
        return _q(Decimal(sum_terms(self.totals, indicator.numerator)) * 100 / Decimal(denominator))

    def score(self, components: list[Component]) -> Decimal | None:
        """Σ weight × rate (or 100 − rate); components without a value (no denominator) are left out and the
        score scaled to the weights present; None when none has a value."""
        total = Decimal(0)
        present = Decimal(0)
        for c in components:
            value = self.rate(c.indicator)
            if value is None:
                continue
            total += c.weight * ((Decimal(100) - value) if c.inverse else value) / 100
            present += c.weight
        if not present:
            return None
        all_weights = sum((c.weight for c in components), Decimal(0))
        return _q(total * all_weights / present)

    def add(self, other: Figures) -> None:
        for key, value in other.totals.items():
            self.totals[key] = self.count(key) + int(value or 0)


def _sums(names: Iterable[str]) -> dict[str, Sum]:
    return {name: Sum(name) for name in names}


def overall(start: date, end: date, **filters) -> Figures:
    """All cases received in ``start``..``end`` (optionally of one ``department_id``)."""
    from evaluation.models import DepartmentDay

    totals = DepartmentDay.objects.filter(day__range=(start, end), **filters).aggregate(**_sums(CASE_MEASURES))
    return Figures({k: int(v or 0) for k, v in totals.items()})


def _grouped(queryset, key: str, names) -> dict:
    rows = queryset.values(key).annotate(**_sums(names))
    return {row[key]: Figures({n: int(row[n] or 0) for n in names}) for row in rows}


def by_department(start: date, end: date) -> dict[int, Figures]:
    from evaluation.models import DepartmentDay

    return _grouped(DepartmentDay.objects.filter(day__range=(start, end)), "department_id", CASE_MEASURES)


def by_source(start: date, end: date) -> dict[str, Figures]:
    from evaluation.models import SourceDay

    return _grouped(SourceDay.objects.filter(day__range=(start, end)), "source", CASE_MEASURES)


def by_area(start: date, end: date, level: str) -> dict[str, Figures]:
    """level: "street" (9-digit code) or "community" (12 digits)."""
    from evaluation.models import CommunityDay

    length = {"street": 9, "community": 12}[level]
    queryset = CommunityDay.objects.filter(day__range=(start, end)).annotate(area=Substr("community_code", 1, length))
    return _grouped(queryset, "area", CASE_MEASURES)


def by_grid(start: date, end: date) -> dict[str, Figures]:
    """Per unit grid, the few measures kept per grid (reported, registered, public reports confirmed on site)."""
    from evaluation.models import GridDay
    from evaluation.models.facts import GRID_MEASURES

    return _grouped(GridDay.objects.filter(day__range=(start, end)), "grid_code", GRID_MEASURES)


ROLE_OF_SCHEME = {
    "collector": "collector",
    "operator": "operator",
    "shift_leader": "shift_leader",
    "dispatcher": "dispatcher",
}
VOLUME_OF_SCHEME = {
    "collector": "reports",
    "operator": "acceptances",
    "shift_leader": "registrations",
    "dispatcher": "dispatches",
}


def by_person(start: date, end: date, scheme: str) -> dict[int, Figures]:
    """Per user of the scheme's role: their person-rollup sums, a volume score, and for collectors the missed
    reports of their duty grids."""
    from core.models import User
    from evaluation.models import PersonDay

    user_ids = list(User.objects.filter(role=ROLE_OF_SCHEME[scheme]).values_list("pk", flat=True))
    groups = _grouped(
        PersonDay.objects.filter(day__range=(start, end), user_id__in=user_ids), "user_id", PERSON_MEASURES
    )
    if scheme == "collector":
        grids = by_grid(start, end)
        from grids.models import DutyGrid

        beats: dict[int, set[str]] = {}
        for user_id, code in DutyGrid.objects.filter(is_active=True, collectors__in=user_ids).values_list(
            "collectors", "unit_grids__code"
        ):
            if code:
                beats.setdefault(user_id, set()).add(code)
        for user_id, codes in beats.items():
            figures = groups.setdefault(user_id, Figures({n: 0 for n in PERSON_MEASURES}))
            figures.totals["missed"] = sum(grids[c].count("public_verified") for c in codes if c in grids)
            figures.totals["grid_registered"] = sum(grids[c].count("registered") for c in codes if c in grids)
    volume = VOLUME_OF_SCHEME[scheme]
    most = max((f.count(volume) for f in groups.values()), default=0)
    for figures in groups.values():
        figures.totals["volume"] = figures.count(volume)
        figures.totals["max_volume"] = most
    return groups
