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
| disposed | check (核查): the operator sends a collector | the department's feedback |
| checking | check (核查): the collector looks on site | the task is sent |
| checked, self-disposed | close (结案) | the passed check (or the report, for self-disposal) |

(1) start = dispatch (or rework); deadline = ``add_duration(start, condition limit)``; an approved extension adds its
value and unit to the deadline with ``add_duration``; approving a suspension stores the working minutes left and
stops the clock; resuming sets the deadline to ``add_duration(resume instant, minutes left)``. So the bundled
deadline counts extensions and leaves suspended time out without a separate ledger.

A stage is on time when it ends at or before its deadline; the flag (``accepted_on_time`` …) is fixed then.
Traffic light: the share of the stage's whole limit used, measured backwards from the deadline (limit − minutes
left), green < 80 %, yellow 80–100 %, red beyond; overtime multiple = (used − limit) / limit.
"""

from __future__ import annotations

import time
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from cases.choices import CaseStatus, Stage, TrafficLight
from core.choices import TimeUnit
from core.worktime import add_duration, limit_in_minutes, working_minutes_between

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
# The statuses of the disposal stage, whose deadline the bundled limit and extensions set.
DISPOSE_STATUSES = tuple(sorted(s for s, stage in STATUS_STAGE.items() if stage == Stage.DISPOSE))
NATURAL_UNITS = {TimeUnit.NATURAL_HOURS, TimeUnit.NATURAL_MINUTES}
YELLOW_FROM, RED_FROM = 0.8, 1.0  # share of the limit used (docs/domain.md §4)

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


def clock_limit_minutes(value, unit: str, *, natural: bool, at: datetime) -> float:
    """A limit in the minutes its clock counts: working minutes, or natural minutes on a 7×24 clock (where, as in
    ``add_duration(round_the_clock=True)``, a working day counts 24 hours)."""
    if natural:
        per_unit = {TimeUnit.WORK_DAYS: 24 * 60, TimeUnit.WORK_HOURS: 60, TimeUnit.NATURAL_HOURS: 60}
        return float(value) * per_unit.get(unit, 1)
    return limit_in_minutes(float(value), unit, at)


def stage_limit_minutes(case, stage: str | None = None) -> float | None:
    """The whole limit of the case's current stage in its clock's minutes. For disposal: the condition's limit plus
    the extensions approved since the disposal clock started (dispatch or rework); suspension does not change it."""
    stage = stage or STATUS_STAGE.get(case.status)
    if stage is None:
        return None
    started = case.stage_started_at or timezone.now()
    if stage != Stage.DISPOSE:
        value, unit = stage_limit(stage)
        return clock_limit_minutes(value, unit, natural=unit in NATURAL_UNITS, at=started)
    if case.disposal_limit_value is None:
        return None
    natural = is_natural_time(case)
    total = clock_limit_minutes(case.disposal_limit_value, case.disposal_limit_unit, natural=natural, at=started)
    if case.extension_count:
        from cases.choices import RequestKind, RequestStatus

        # A list that prefetched ``requests`` pays no query here; otherwise one per extended case.
        prefetched = getattr(case, "_prefetched_objects_cache", {}).get("requests")
        requests = prefetched if prefetched is not None else case.requests.filter(kind=RequestKind.EXTENSION)
        total += sum(
            clock_limit_minutes(r.extension_value, r.extension_unit, natural=natural, at=started)
            for r in requests
            if r.kind == RequestKind.EXTENSION
            and r.status == RequestStatus.APPROVED
            and r.decided_at is not None
            and r.decided_at >= started
        )
    return total


def minutes_left(case, now: datetime | None = None) -> float | None:
    """Minutes of the current stage's clock until its deadline (negative once overdue; None: no running clock)."""
    stage = STATUS_STAGE.get(case.status)
    if stage is None or case.stage_deadline is None:
        return None
    return minutes_between(case, now or timezone.now(), case.stage_deadline, stage)


def share_used(case, now: datetime | None = None) -> float | None:
    """Share of the current stage's limit used: (limit − minutes left) / limit. Measuring from the deadline backwards
    leaves suspended time out, since resumption moved the deadline by exactly the time the case was suspended."""
    left = minutes_left(case, now)
    limit = stage_limit_minutes(case)
    if left is None or limit is None:
        return None
    if limit <= 0:
        return 1.0 if left >= 0 else float("inf")
    return (limit - left) / limit


def traffic_light(case, now: datetime | None = None) -> str | None:
    """Green below 80 % of the current stage's limit used, yellow 80–100 %, red beyond (None: no running clock,
    e.g. a suspended or finished case)."""
    share = share_used(case, now)
    if share is None:
        return None
    if share > RED_FROM:
        return TrafficLight.RED
    return TrafficLight.YELLOW if share >= YELLOW_FROM else TrafficLight.GREEN


def case_overtime_multiple(case, now: datetime | None = None) -> float | None:
    """超时倍数 of the current stage: (used − limit) / limit, 0 while within the limit."""
    share = share_used(case, now)
    return None if share is None else max(0.0, share - 1.0)


def overtime_multiple(used_minutes: float, limit_minutes: float) -> float:
    """超时倍数: (used − limit) / limit; 0 when within the limit."""
    if limit_minutes <= 0:
        return 0.0
    return max(0.0, (used_minutes - limit_minutes) / limit_minutes)
