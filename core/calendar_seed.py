"""Seeding the calendar table from the ``chinesecalendar`` package (official holidays 2004–2026)."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from core.choices import DayKind

# chinesecalendar names holidays in English; the table keeps the Chinese name the console shows.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def known_years() -> range:
    first = min(chinese_calendar.holidays).year
    last = max(max(chinese_calendar.holidays), max(chinese_calendar.workdays)).year
    return range(first, last + 1)


def day_rows(year: int) -> list[dict]:
    """One row per date of *year* as the official calendar has it."""
    rows = []
    day = date(year, 1, 1)
    while day.year == year:
        worked = chinese_calendar.is_workday(day)
        _on_holiday, name = chinese_calendar.get_holiday_detail(day)
        weekend = day.weekday() >= 5
        if worked:
            kind = DayKind.ADJUSTED_WORKDAY if weekend else DayKind.WORKDAY
        elif name:
            kind = DayKind.HOLIDAY
        else:
            kind = DayKind.WEEKEND
        rows.append(
            {"date": day, "is_workday": worked, "kind": kind.value, "name": HOLIDAY_NAMES.get(name or "", name or "")}
        )
        day += timedelta(days=1)
    return rows


def seed_calendar(model, years=None) -> int:
    """Insert the days the table lacks (never overwriting an administrator's edits); returns rows added.

    *model* is ``CalendarDay`` (or its historical version inside a migration)."""
    added = 0
    for year in years or known_years():
        existing = set(model.objects.filter(date__year=year).values_list("date", flat=True))
        new = [model(**row) for row in day_rows(year) if row["date"] not in existing]
        model.objects.bulk_create(new, batch_size=1000)
        added += len(new)
    return added
