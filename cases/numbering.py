"""Human-readable case numbers (案卷编号): the Asia/Shanghai date and a daily sequence, e.g. 20261122-00042.

The sequence lives in one ``CaseNumber`` row per day. Taking numbers is one atomic ``INSERT … ON CONFLICT DO UPDATE
SET last = last + n RETURNING last``: concurrent reports queue on that row's lock for the rest of their transaction,
never read the same value, and a rolled-back report gives its number back. A day past 99,999 reports simply gets
six digits.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

# The numbering day is the command centre's calendar day, whatever TIME_ZONE a deployment sets.
NUMBERING_ZONE = ZoneInfo("Asia/Shanghai")


def numbering_day(at: datetime | None = None) -> date:
    return timezone.localdate(at or timezone.now(), NUMBERING_ZONE)


def format_case_no(day: date, sequence: int) -> str:
    return f"{day:%Y%m%d}-{sequence:05d}"


def reserve_case_numbers(count: int, at: datetime | None = None) -> list[str]:
    """Take *count* consecutive numbers of the day of *at* (default now) in one statement; call inside the
    transaction that writes the cases, so a rollback returns them."""
    if count <= 0:
        return []
    day = numbering_day(at)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_casenumber (day, last) VALUES (%s, %s) "
            "ON CONFLICT (day) DO UPDATE SET last = cases_casenumber.last + EXCLUDED.last RETURNING last",
            [day, count],
        )
        last = cursor.fetchone()[0]
    return [format_case_no(day, sequence) for sequence in range(last - count + 1, last + 1)]


def next_case_no(at: datetime | None = None) -> str:
    """The next number of the day (see ``reserve_case_numbers``)."""
    return reserve_case_numbers(1, at)[0]
