"""Reference data every installation needs, kept present after every migrate (and every test-database flush):
the official calendar, the default work schedules and the role groups with their permissions."""

from __future__ import annotations

from datetime import date, time

from core.calendar_seed import seed_calendar
from core.roles import sync_role_groups


def ensure_default_schedules() -> None:
    from core.models import WorkPeriod, WorkSchedule

    standard, created = WorkSchedule.objects.get_or_create(
        round_the_clock=False, valid_from=date(2000, 1, 1), defaults={"name": "标准工作时间"}
    )
    if created:
        WorkPeriod.objects.bulk_create(
            [
                WorkPeriod(schedule=standard, start=time(8, 0), end=time(12, 0)),
                WorkPeriod(schedule=standard, start=time(14, 0), end=time(18, 0)),
            ]
        )
    WorkSchedule.objects.get_or_create(
        round_the_clock=True, valid_from=date(2000, 1, 1), defaults={"name": "7×24 自然时间"}
    )


def ensure_reference_data() -> None:
    from core.models import CalendarDay
    from core.worktime import invalidate_calendar

    if not CalendarDay.objects.exists():
        seed_calendar(CalendarDay)
    ensure_default_schedules()
    sync_role_groups()
    invalidate_calendar()
