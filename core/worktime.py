"""Working-time arithmetic: every deadline in the platform comes from here (docs/domain.md §4).

``add_duration`` turns a start instant and a limit (value + unit) into a deadline; ``working_minutes_between``
measures how much working time lies between two instants, for on-time checks, traffic lights and overtime.

Working days come from the ``CalendarDay`` table. A date the table does not know (typically next year before the
State Council's notice) falls back to Monday–Friday: a warning is logged and a ``CalendarGap`` row makes the admin
show a notice. It never raises.

A working day limit counts as that many standard days of working minutes (8 working days = 8 × 480 working
minutes with the default schedule), so "1 working day" reported at 16:00 on a Friday falls due at 16:00 on
Monday, and a start outside working hours starts counting at the next working period.
"""

from __future__ import annotations

import logging
import threading
import time as monotonic_time
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from core.choices import TimeUnit

logger = logging.getLogger(__name__)

DEFAULT_PERIODS: tuple[tuple[time, time], ...] = ((time(8, 0), time(12, 0)), (time(14, 0), time(18, 0)))
VERSION_KEY = "worktime:version"
_VERSION_CHECK_SECONDS = 2.0
# With the version key out of sight (Redis down or emptied), an edit made in another process cannot be announced:
# the process then reloads its copy from the database this often instead.
_BLIND_RELOAD_SECONDS = 60.0
_MAX_DAYS = 3 * 366  # no limit in this trade runs longer; guards against a calendar with no working days


@dataclass(frozen=True)
class _Schedule:
    valid_from: date
    periods: tuple[tuple[time, time], ...]

    @property
    def minutes_per_day(self) -> int:
        return sum((e.hour * 60 + e.minute) - (s.hour * 60 + s.minute) for s, e in self.periods)


class _CalendarCache:
    """Per-process copy of the calendar table and schedules, refreshed when an edit bumps the shared version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: object = None
        self._checked_at = 0.0
        self._loaded_at = 0.0
        self._years: dict[int, dict[date, bool] | None] = {}
        self._schedules: list[_Schedule] | None = None
        self._gaps_recorded: set[int] = set()

    def _refresh_if_stale(self) -> None:
        now = monotonic_time.monotonic()
        if now - self._checked_at < _VERSION_CHECK_SECONDS:
            return
        version = cache.get(VERSION_KEY)  # the tolerant cache answers None when Redis is down
        with self._lock:
            self._checked_at = now
            blind = version is None and now - self._loaded_at > _BLIND_RELOAD_SECONDS
            if version != self._version or blind:
                self._version = version
                self._loaded_at = now
                self._years.clear()
                self._schedules = None

    def clear(self) -> None:
        with self._lock:
            self._years.clear()
            self._schedules = None
            self._checked_at = 0.0
            self._gaps_recorded.clear()

    def year(self, year: int) -> dict[date, bool] | None:
        self._refresh_if_stale()
        if year not in self._years:
            from core.models import CalendarDay

            rows = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday"))
            self._years[year] = rows or None
        return self._years[year]

    def schedules(self) -> list[_Schedule]:
        self._refresh_if_stale()
        if self._schedules is None:
            from core.models import WorkSchedule

            loaded = []
            for sched in WorkSchedule.objects.filter(round_the_clock=False).prefetch_related("periods"):
                periods = tuple((p.start, p.end) for p in sched.periods.all())
                if periods:
                    loaded.append(_Schedule(sched.valid_from, periods))
            self._schedules = sorted(loaded, key=lambda s: s.valid_from)
        return self._schedules

    def note_gap(self, year: int) -> None:
        if year in self._gaps_recorded:
            return
        self._gaps_recorded.add(year)
        logger.warning(
            "Working calendar has no data for %s: falling back to Monday-Friday working days. "
            "Enter that year's official holidays in the admin (Calendar days).",
            year,
        )
        from core.models import CalendarGap

        try:
            CalendarGap.objects.get_or_create(year=year)
        except Exception:  # the notice must never break a deadline computation
            logger.exception("Could not record the calendar gap for %s", year)


_cache = _CalendarCache()


def invalidate_calendar() -> None:
    """Tell every process that the calendar table or schedules changed."""
    _cache.clear()
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, timeout=None)


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def is_workday(day: date) -> bool:
    """Whether *day* is a working day: the calendar table, or Monday–Friday for a year it does not know."""
    known = _cache.year(day.year)
    if known is not None and day in known:
        return known[day]
    _cache.note_gap(day.year)
    return day.weekday() < 5


def calendar_knows(day: date) -> bool:
    known = _cache.year(day.year)
    return known is not None and day in known


def _schedule_for(day: date) -> _Schedule:
    current = _Schedule(date.min, DEFAULT_PERIODS)
    for sched in _cache.schedules():
        if sched.valid_from <= day:
            current = sched
        else:
            break
    return current


def work_spans(day: date) -> list[tuple[datetime, datetime]]:
    """The worked spans of *day* as aware datetimes (empty on a day off)."""
    if not is_workday(day):
        return []
    tz = _tz()
    return [
        (datetime.combine(day, start, tz), datetime.combine(day, end, tz)) for start, end in _schedule_for(day).periods
    ]


def minutes_per_workday(day: date) -> int:
    return _schedule_for(day).minutes_per_day


def _add_working_minutes(start: datetime, minutes: float) -> datetime:
    remaining = timedelta(minutes=minutes)
    if remaining <= timedelta(0):
        return start
    local = timezone.localtime(start, _tz())
    day = local.date()
    for _ in range(_MAX_DAYS):
        for span_start, span_end in work_spans(day):
            begin = max(span_start, local)
            if begin >= span_end:
                continue
            available = span_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += timedelta(days=1)
    raise ValueError("the working calendar has no working time in the next three years")


# Stored times far outside any working calendar (year 1 or 9999 from a bad import or an old client) are counted as
# if at the edge of this window: a page showing such a row must neither overflow nor walk millennia day by day.
_WINDOW = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 12, 31, tzinfo=UTC))


def _clamp(moment: datetime) -> datetime:
    return min(max(moment, _WINDOW[0]), _WINDOW[1])


def add_duration(start: datetime, value: float, unit: str, *, round_the_clock: bool = False) -> datetime:
    """The deadline reached by adding a limit of *value* *unit* to *start*.

    ``round_the_clock`` (7×24 classes) makes working units count every minute, as natural time does."""
    if timezone.is_naive(start):
        raise ValueError("start must be timezone-aware")
    if value < 0:
        raise ValueError("a time limit cannot be negative")
    start = _clamp(start)
    unit = TimeUnit(unit)
    if unit in (TimeUnit.NATURAL_HOURS, TimeUnit.NATURAL_MINUTES) or round_the_clock:
        minutes = {
            TimeUnit.NATURAL_HOURS: value * 60,
            TimeUnit.NATURAL_MINUTES: value,
            TimeUnit.WORK_MINUTES: value,
            TimeUnit.WORK_HOURS: value * 60,
            TimeUnit.WORK_DAYS: value * 24 * 60,
        }[unit]
        return start + timedelta(minutes=minutes)
    if unit == TimeUnit.WORK_MINUTES:
        return _add_working_minutes(start, value)
    if unit == TimeUnit.WORK_HOURS:
        return _add_working_minutes(start, value * 60)
    day_minutes = minutes_per_workday(timezone.localtime(start, _tz()).date())
    return _add_working_minutes(start, value * day_minutes)


def working_minutes_between(start: datetime, end: datetime, *, round_the_clock: bool = False) -> float:
    """Working minutes from *start* to *end* (negative when *end* comes first)."""
    if end < start:
        return -working_minutes_between(end, start, round_the_clock=round_the_clock)
    start, end = _clamp(start), _clamp(end)
    if round_the_clock:
        return (end - start).total_seconds() / 60
    if end - start > timedelta(days=_MAX_DAYS):
        # No limit runs this long: beyond three years the count is extrapolated from the first three, so an absurd
        # stored date still answers quickly with a (hugely) overdue measure.
        sample = start + timedelta(days=_MAX_DAYS)
        return working_minutes_between(start, sample) * ((end - start) / (sample - start))
    tz = _tz()
    first = timezone.localtime(start, tz).date()
    last = timezone.localtime(end, tz).date()
    total = timedelta(0)
    day = first
    while day <= last:
        for span_start, span_end in work_spans(day):
            overlap = min(span_end, end) - max(span_start, start)
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return total.total_seconds() / 60


def limit_in_minutes(value: float, unit: str, at: datetime | None = None) -> float:
    """A limit expressed in the minutes that ``working_minutes_between`` counts (for the share of a limit used)."""
    unit = TimeUnit(unit)
    if unit in (TimeUnit.WORK_MINUTES, TimeUnit.NATURAL_MINUTES):
        return float(value)
    if unit in (TimeUnit.WORK_HOURS, TimeUnit.NATURAL_HOURS):
        return float(value) * 60
    day = timezone.localtime(at or timezone.now(), _tz()).date()
    return float(value) * minutes_per_workday(day)
