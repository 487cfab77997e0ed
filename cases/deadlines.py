"""Deadlines of case stages, all from the working-time calendar (core.worktime), never from timedelta arithmetic.

Which stage a status is in, and from when its clock runs:

| status | stage | clock starts |
|---|---|---|
| reported | accept (受理) | receipt, or the end of the on-site verification |
| verifying | verify (核实) | the operator sends the task |
| accepted | register (立案) | acceptance |
| registered | dispatch (派遣) | registration, or an approved return |
| dispatched, disposing, return requested | dispose (处置) | dispatch, or rework: the *bundled* deadline (1) |
| suspended | — | the clock stops; the working minutes left are kept |
| disposed, checking | check (核查) | the department's feedback |
| checked, self-disposed | close (结案) | the passed check (or the report, for self-disposal) |

(1) the limit of the filing condition plus approved extensions, with suspended time left out.
"""

from __future__ import annotations

import time
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from cases.choices import CaseStatus, Stage, TrafficLight
from core.choices import TimeUnit
from core.worktime import add_duration, working_minutes_between

STATUS_STAGE: dict[str, str] = {
    CaseStatus.REPORTED: Stage.ACCEPT,
    CaseStatus.VERIFYING: Stage.VERIFY,
    CaseStatus.ACCEPTED: Stage.REGISTER,
    CaseStatus.REGISTERED: Stage.DISPATCH,
    CaseStatus.DISPATCHED: Stage.DISPOSE,
    CaseStatus.DISPOSING: Stage.DISPOSE,
    CaseStatus.RETURN_REQUESTED: Stage.DISPOSE,
    CaseStatus.DISPOSED: Stage.CHECK,
    CaseStatus.CHECKING: Stage.CHECK,
    CaseStatus.CHECKED: Stage.CLOSE,
    CaseStatus.SELF_DISPOSED: Stage.CLOSE,
}
NATURAL_UNITS = {TimeUnit.NATURAL_HOURS, TimeUnit.NATURAL_MINUTES}
YELLOW_FROM, RED_FROM = 0.8, 1.0  # share of the limit used (domain.md §4)

_limits_cache: dict[str, tuple[Decimal, str]] = {}
_limits_loaded_at = 0.0
_LIMITS_TTL = 30.0


def stage_limit(stage: str) -> tuple[Decimal, str]:
    """The configured limit of a stage other than disposal (StageLimit rows, cached for half a minute)."""
    global _limits_loaded_at
    if time.monotonic() - _limits_loaded_at > _LIMITS_TTL or stage not in _limits_cache:
        from cases.models import StageLimit
        from cases.reference import DEFAULT_STAGE_LIMITS

        _limits_cache.clear()
        _limits_cache.update(DEFAULT_STAGE_LIMITS)
        _limits_cache.update({row.stage: (row.value, row.unit) for row in StageLimit.objects.all()})
        _limits_loaded_at = time.monotonic()
    return _limits_cache[stage]


def clear_limit_cache() -> None:
    global _limits_loaded_at
    _limits_loaded_at = 0.0


def stage_deadline(stage: str, start: datetime, *, case=None) -> datetime | None:
    """When a stage that starts at *start* falls due. Disposal uses the case's own limit (from its condition)."""
    if stage == Stage.DISPOSE:
        if case is None or case.disposal_limit_value is None:
            return None
        return add_duration(start, float(case.disposal_limit_value), case.disposal_limit_unit)
    value, unit = stage_limit(stage)
    return add_duration(start, float(value), unit)


def is_natural_time(case) -> bool:
    """Whether the case's disposal clock runs on natural time (7×24 urgent classes)."""
    return case.disposal_limit_unit in NATURAL_UNITS


def minutes_between(case, start: datetime, end: datetime, stage: str) -> float:
    """Minutes of the stage's own clock (working time, or natural time for 7×24 limits) from *start* to *end*."""
    unit = case.disposal_limit_unit if stage == Stage.DISPOSE else stage_limit(stage)[1]
    return working_minutes_between(start, end, round_the_clock=unit in NATURAL_UNITS)


def on_time(deadline: datetime | None, at: datetime) -> bool | None:
    """A stage ends on time when it ends at or before its deadline (None: the stage had none)."""
    return None if deadline is None else at <= deadline


def traffic_light(case, now: datetime | None = None) -> str | None:
    """Green below 80 % of the current stage's limit used, yellow 80–100 %, red beyond (None: no running clock)."""
    if case.stage_deadline is None or case.stage_started_at is None:
        return None
    now = now or timezone.now()
    stage = STATUS_STAGE.get(case.status)
    if stage is None:
        return None
    limit = minutes_between(case, case.stage_started_at, case.stage_deadline, stage)
    used = minutes_between(case, case.stage_started_at, now, stage)
    if limit <= 0:
        return TrafficLight.RED if now > case.stage_deadline else TrafficLight.YELLOW
    share = used / limit
    if share > RED_FROM or now > case.stage_deadline:
        return TrafficLight.RED
    return TrafficLight.YELLOW if share >= YELLOW_FROM else TrafficLight.GREEN


def overtime_multiple(used_minutes: float, limit_minutes: float) -> float:
    """超时倍数: (used − limit) / limit; 0 when within the limit."""
    if limit_minutes <= 0:
        return 0.0
    return max(0.0, (used_minutes - limit_minutes) / limit_minutes)
