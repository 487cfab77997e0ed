"""Deadlines from the working-time calendar, on real official dates."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from core.choices import TimeUnit
from core.models import CalendarDay, CalendarGap, WorkPeriod, WorkSchedule
from core.worktime import add_duration, is_workday, limit_in_minutes, working_minutes_between

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


class TestNationalDay2025:
    """1–8 October 2025 off; Sunday 28 September and Saturday 11 October worked (调休上班)."""

    def test_calendar_table_knows_the_holiday_and_adjusted_days(self):
        assert not is_workday(date(2025, 10, 1))
        assert not is_workday(date(2025, 10, 8))
        assert is_workday(date(2025, 9, 28))
        assert is_workday(date(2025, 10, 11))
        assert CalendarDay.objects.get(date=date(2025, 9, 28)).kind == "adjusted_workday"
        assert CalendarDay.objects.get(date=date(2025, 10, 3)).kind == "holiday"

    def test_one_working_day_before_the_holiday_falls_due_after_it(self):
        # 30 Sep 10:00: 6 working hours left that day, the remaining 2 on Thursday 9 October.
        assert add_duration(at(2025, 9, 30, 10), 1, TimeUnit.WORK_DAYS) == at(2025, 10, 9, 10)

    def test_the_adjusted_sunday_is_worked(self):
        # Friday 26 Sep 17:00 + 2 working hours: one hour on Friday, Saturday off, Sunday 28 worked.
        assert add_duration(at(2025, 9, 26, 17), 2, TimeUnit.WORK_HOURS) == at(2025, 9, 28, 9)

    def test_the_adjusted_saturday_after_the_holiday_is_worked(self):
        assert add_duration(at(2025, 10, 10, 17), 2, TimeUnit.WORK_HOURS) == at(2025, 10, 11, 9)

    def test_working_minutes_across_the_holiday(self):
        # 30 Sep 16:00 → 9 Oct 09:00: 2 h on 30 Sep + 1 h on 9 Oct.
        assert working_minutes_between(at(2025, 9, 30, 16), at(2025, 10, 9, 9)) == 180


class TestSpringFestival2026:
    def test_holiday_week_is_skipped(self):
        # Friday 13 Feb 2026 16:00 + 1 working day: Sat 14 Feb is an adjusted working day.
        assert add_duration(at(2026, 2, 13, 16), 1, TimeUnit.WORK_DAYS) == at(2026, 2, 14, 16)
        # Saturday 14 Feb 17:00 + 4 working hours: 15–23 Feb off, due Tuesday 24 Feb.
        assert add_duration(at(2026, 2, 14, 17), 4, TimeUnit.WORK_HOURS) == at(2026, 2, 24, 11)

    def test_five_working_days_over_the_festival(self):
        assert add_duration(at(2026, 2, 12, 9), 5, TimeUnit.WORK_DAYS) == at(2026, 2, 26, 9)


class TestWorkingHoursRules:
    def test_start_outside_working_hours_counts_from_next_period(self):
        assert add_duration(at(2025, 6, 3, 12, 30), 30, TimeUnit.WORK_MINUTES) == at(2025, 6, 3, 14, 30)
        assert add_duration(at(2025, 6, 3, 20), 30, TimeUnit.WORK_MINUTES) == at(2025, 6, 4, 8, 30)

    def test_natural_hours_run_through_nights_and_holidays(self):
        assert add_duration(at(2025, 10, 1, 23), 2, TimeUnit.NATURAL_HOURS) == at(2025, 10, 2, 1)

    def test_round_the_clock_classes_count_every_minute(self):
        assert add_duration(at(2025, 10, 1, 23), 2, TimeUnit.WORK_HOURS, round_the_clock=True) == at(2025, 10, 2, 1)
        assert working_minutes_between(at(2025, 10, 1, 23), at(2025, 10, 2, 1), round_the_clock=True) == 120

    def test_naive_start_is_refused(self):
        with pytest.raises(ValueError):
            add_duration(datetime(2025, 6, 3, 9), 1, TimeUnit.WORK_HOURS)

    def test_unknown_unit_is_refused(self):
        with pytest.raises(ValueError):
            add_duration(at(2025, 6, 3, 9), 1, "fortnights")

    def test_working_minutes_are_negative_backwards(self):
        assert working_minutes_between(at(2025, 6, 3, 10), at(2025, 6, 3, 9)) == -60

    def test_limit_in_minutes(self):
        assert limit_in_minutes(2, TimeUnit.WORK_DAYS, at(2025, 6, 3, 9)) == 960
        assert limit_in_minutes(4, TimeUnit.WORK_HOURS) == 240

    def test_a_seasonal_schedule_takes_effect_from_its_date(self):
        summer = WorkSchedule.objects.create(name="夏季作息", valid_from=date(2025, 7, 1))
        WorkPeriod.objects.create(schedule=summer, start=time(8, 30), end=time(12, 0))
        WorkPeriod.objects.create(schedule=summer, start=time(15, 0), end=time(18, 30))
        assert add_duration(at(2025, 6, 30, 17), 2, TimeUnit.WORK_HOURS) == at(2025, 7, 1, 9, 30)
        assert add_duration(at(2025, 7, 1, 11), 2, TimeUnit.WORK_HOURS) == at(2025, 7, 1, 16)

    def test_an_administrators_edit_takes_effect(self):
        # A local override: the centre works on Saturday 7 June 2025.
        day = CalendarDay.objects.get(date=date(2025, 6, 7))
        day.is_workday, day.kind = True, "local_override"
        day.save()
        assert add_duration(at(2025, 6, 6, 17), 2, TimeUnit.WORK_HOURS) == at(2025, 6, 7, 9)


class TestYearWithoutData:
    def test_deadline_crossing_into_an_unknown_year_falls_back_to_weekdays(self, caplog):
        # Thursday 31 Dec 2026 17:00 + 2 working hours: the table has no 2027 yet. Friday 1 Jan 2027 counts as a
        # weekday (the real holiday is not known), a warning is logged and the admin is told.
        assert not CalendarDay.objects.filter(date__year=2027).exists()
        with caplog.at_level("WARNING", logger="core.worktime"):
            deadline = add_duration(at(2026, 12, 31, 17), 2, TimeUnit.WORK_HOURS)
        assert deadline == at(2027, 1, 1, 9)
        assert "no data for 2027" in caplog.text
        assert CalendarGap.objects.filter(year=2027).exists()

    def test_unknown_year_weekends_are_still_off(self):
        # Friday 8 Jan 2027 17:00 + 2 working hours → Monday 11 Jan 09:00.
        assert add_duration(at(2027, 1, 8, 17), 2, TimeUnit.WORK_HOURS) == at(2027, 1, 11, 9)

    def test_admin_shows_a_notice_for_the_missing_year(self, client, personas):
        personas["admin"].is_staff = True
        personas["admin"].save()
        client.force_login(personas["admin"])
        add_duration(at(2026, 12, 31, 17), 2, TimeUnit.WORK_HOURS)
        response = client.get("/admin/core/calendarday/")
        assert response.status_code == 200
        assert "2027" in response.content.decode()
