"""The working-time calendar never raises for a stored date, however absurd (year 1, year 9999)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from core.worktime import add_duration, working_minutes_between

pytestmark = pytest.mark.django_db
YEAR_ONE = datetime(1, 1, 1, tzinfo=UTC)
YEAR_9999 = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(("start", "end"), [(YEAR_ONE, None), (None, YEAR_9999), (YEAR_ONE, YEAR_9999)])
def test_working_minutes_between_absurd_dates_is_finite(start, end):
    now = timezone.now()
    minutes = working_minutes_between(start or now, end or now)
    assert minutes == minutes and abs(minutes) < 200 * 366 * 24 * 60  # a number, not NaN, not an overflow
    assert (minutes > 0) == ((end or now) > (start or now))


@pytest.mark.parametrize("start", [YEAR_ONE, YEAR_9999])
def test_add_duration_from_an_absurd_start_does_not_overflow(start):
    for unit in ("work_hours", "work_days", "natural_hours"):
        assert add_duration(start, 4, unit) is not None
