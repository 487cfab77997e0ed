"""What needs attention soon, as query conditions: the cases that turn yellow within the next working hour and
the cases due within N working hours. The home pages count them and the lists filter by them with the same
``Q``, so a number on a home page is always the length of the list it links to.

Turning yellow (domain.md §4: yellow from 80 % of the stage's limit used) means green now and yellow within the
next working hour of the case's own clock: with L the whole limit of the current stage in its clock's minutes and
``left`` the minutes to the deadline, ``0.2·L < left ≤ 0.2·L + 60``. ``add_duration`` turns both bounds into instants,
so each (stage, limit) pair becomes one range on ``stage_deadline``, read through the partial index on open cases'
deadlines. The limits in play are few: the fixed limits of the accept, verify, register, dispatch, check and close
stages, and for disposal the distinct condition limits of the open cases (a few dozen, cached for a minute). A case
with an approved extension has a longer limit: those few are checked one by one with ``cases.deadlines``.
"""

from __future__ import annotations

import time
from datetime import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from cases.choices import CaseStatus, Stage
from cases.deadlines import (
    DISPOSE_STATUSES,
    NATURAL_UNITS,
    RED_FROM,
    STATUS_STAGE,
    YELLOW_FROM,
    clock_limit_minutes,
    stage_limit,
)
from core.choices import TimeUnit
from core.worktime import add_duration

SOON_MINUTES = 60  # "within the next working hour"
_LIMITS_TTL = 60.0
_disposal_limits: tuple[float, list[tuple[Decimal, str]]] = (0.0, [])


def _statuses_of(stage: str) -> list[str]:
    return sorted(str(s) for s, st in STATUS_STAGE.items() if st == stage)


def _window(now: datetime, limit_minutes: float, natural: bool, within: float) -> Q:
    """Deadlines whose case is green at *now* and yellow after *within* more minutes of its clock."""
    share_left = RED_FROM - YELLOW_FROM  # 0.2 of the limit left when the light turns yellow
    unit = TimeUnit.NATURAL_MINUTES if natural else TimeUnit.WORK_MINUTES
    lower = add_duration(now, share_left * limit_minutes, unit)
    upper = add_duration(now, share_left * limit_minutes + within, unit)
    return Q(stage_deadline__gt=lower, stage_deadline__lte=upper)


def disposal_limits() -> list[tuple[Decimal, str]]:
    """The distinct disposal limits of the open cases in the disposal stage (cached for a minute per process)."""
    global _disposal_limits
    loaded_at, limits = _disposal_limits
    if time.monotonic() - loaded_at > _LIMITS_TTL:
        from cases.models import Case

        rows = (
            Case.objects.filter(status__in=DISPOSE_STATUSES, disposal_limit_value__isnull=False)
            .order_by()
            .values_list("disposal_limit_value", "disposal_limit_unit")
            .distinct()
        )
        limits = sorted(set(rows))
        _disposal_limits = (time.monotonic(), limits)
    return limits


def clear_limit_cache() -> None:
    global _disposal_limits
    _disposal_limits = (0.0, [])


def turning_yellow(now: datetime | None = None, within: float = SOON_MINUTES) -> Q:
    """Open cases that are green now and turn yellow within *within* minutes of their clock (see the docstring)."""
    now = now or timezone.now()
    condition = Q(pk__in=[])
    for stage in (Stage.ACCEPT, Stage.VERIFY, Stage.REGISTER, Stage.DISPATCH, Stage.CHECK, Stage.CLOSE):
        value, unit = stage_limit(stage)
        natural = unit in NATURAL_UNITS
        minutes = clock_limit_minutes(value, unit, natural=natural, at=now)
        condition |= Q(status__in=_statuses_of(stage)) & _window(now, minutes, natural, within)
    plain = Q(status__in=list(DISPOSE_STATUSES), extension_count=0)
    for value, unit in disposal_limits():
        natural = unit in NATURAL_UNITS
        minutes = clock_limit_minutes(value, unit, natural=natural, at=now)
        window = _window(now, minutes, natural, within)
        condition |= plain & Q(disposal_limit_value=value, disposal_limit_unit=unit) & window
    extended = _extended_turning_yellow(now, within)
    if extended:
        condition |= Q(pk__in=extended)
    return condition


def _extended_turning_yellow(now: datetime, within: float) -> list[int]:
    """Cases in disposal with extensions: their limit includes the approved ones (``stage_limit_minutes`` over the
    prefetched requests, one query for all), then the same window as the others."""
    from cases.deadlines import stage_limit_minutes
    from cases.models import Case

    rows = (
        Case.objects.filter(status__in=DISPOSE_STATUSES, extension_count__gt=0, stage_deadline__gt=now)
        .prefetch_related("requests")
        .only(
            "pk",
            "status",
            "stage_deadline",
            "stage_started_at",
            "disposal_limit_value",
            "disposal_limit_unit",
            "extension_count",
        )
    )
    found = []
    for case in rows:
        limit = stage_limit_minutes(case)
        if limit is None:
            continue
        natural = case.disposal_limit_unit in NATURAL_UNITS
        unit = TimeUnit.NATURAL_MINUTES if natural else TimeUnit.WORK_MINUTES
        share_left = RED_FROM - YELLOW_FROM
        lower = add_duration(now, share_left * limit, unit)
        if case.stage_deadline > lower and case.stage_deadline <= add_duration(now, share_left * limit + within, unit):
            found.append(case.pk)
    return found


def due_within(hours: float, now: datetime | None = None) -> Q:
    """Open cases whose current stage falls due within *hours* working hours from now (not yet overdue)."""
    now = now or timezone.now()
    return Q(stage_deadline__gt=now, stage_deadline__lte=add_duration(now, hours, TimeUnit.WORK_HOURS)) & ~Q(
        status=CaseStatus.SUSPENDED
    )
