"""Deadlines on real dates: a disposal limit across National Day 2025, extensions, suspension, traffic lights."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cases.choices import CaseStatus as S
from cases.choices import TrafficLight
from cases.deadlines import overtime_multiple, traffic_light
from cases.services.transitions import perform

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(m, d, hh, mm=0, y=2025):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def dispatched_at(new_case, cast, garbage_class, department, when):
    case = new_case(at=when)
    perform(case.pk, "accept", cast["operator"], at=when)
    perform(case.pk, "register", cast["leader"], condition=garbage_class["condition"].pk, at=when)
    return perform(case.pk, "dispatch", cast["dispatcher"], department=department.pk, at=when)


def test_disposal_limit_runs_across_national_day(new_case, cast, garbage_class, department):
    # Dispatched Tuesday 30 Sep 2025 at 16:00 with 4 working hours: 2 h that day, 1–8 Oct off, due 9 Oct 10:00.
    case = dispatched_at(new_case, cast, garbage_class, department, at(9, 30, 16))
    assert case.disposal_deadline == at(10, 9, 10)
    assert case.stage_deadline == case.disposal_deadline
    perform(case.pk, "sign", cast["handler"], at=at(10, 9, 8, 30))
    case = perform(case.pk, "dispose", cast["handler"], opinion="ok", at=at(10, 9, 9, 59))
    assert case.disposed_on_time is True


def test_late_disposal_is_not_on_time(new_case, cast, garbage_class, department):
    case = dispatched_at(new_case, cast, garbage_class, department, at(9, 30, 16))
    perform(case.pk, "sign", cast["handler"], at=at(10, 9, 8, 30))
    case = perform(case.pk, "dispose", cast["handler"], opinion="ok", at=at(10, 9, 10, 1))
    assert case.disposed_on_time is False


def test_extension_adds_working_time_to_the_bundled_deadline(new_case, cast, garbage_class, department):
    case = dispatched_at(new_case, cast, garbage_class, department, at(9, 30, 16))
    perform(case.pk, "request_extension", cast["handler"], value="1", unit="work_days", reason="x", at=at(10, 9, 9))
    case = perform(case.pk, "approve_extension", cast["dispatcher"], at=at(10, 9, 9, 30))
    assert case.disposal_deadline == at(10, 10, 10)  # one more working day after 9 Oct 10:00


def test_suspension_over_a_weekend_leaves_the_suspended_time_out(new_case, cast, garbage_class, department):
    # Dispatched Friday 10 Oct 2025 09:00 with 4 working hours: 09–12 and 14–15, due 15:00 the same day.
    case = dispatched_at(new_case, cast, garbage_class, department, at(10, 10, 9))
    assert case.disposal_deadline == at(10, 10, 15)
    perform(case.pk, "request_suspension", cast["handler"], reason="等待管网改造", at=at(10, 10, 10))
    case = perform(case.pk, "approve_suspension", cast["dispatcher"], at=at(10, 10, 11))  # 11–12, 14–15 left
    assert case.disposal_minutes_left == 120
    # Resumed Tuesday 14 Oct 09:00 (Saturday 11 Oct was a working day, but the case was suspended).
    case = perform(case.pk, "resume", cast["dispatcher"], at=at(10, 14, 9))
    assert case.status == S.DISPATCHED and case.disposal_deadline == at(10, 14, 11)


def test_traffic_light_boundaries(new_case, cast, garbage_class, department):
    case = dispatched_at(new_case, cast, garbage_class, department, at(6, 3, 8))  # 4 h: due 12:00 Tuesday 3 June
    assert traffic_light(case, at(6, 3, 11, 11)) == TrafficLight.GREEN  # 79.6 % used
    assert traffic_light(case, at(6, 3, 11, 12)) == TrafficLight.YELLOW  # 80 %
    assert traffic_light(case, at(6, 3, 12)) == TrafficLight.YELLOW  # 100 %
    assert traffic_light(case, at(6, 3, 14, 1)) == TrafficLight.RED


def test_overtime_multiple():
    assert overtime_multiple(360, 240) == 0.5
    assert overtime_multiple(100, 240) == 0.0


def test_a_stage_on_time_flag_is_fixed_when_it_ends(new_case, cast):
    case = new_case(at=at(6, 3, 9))  # accept within 15 working minutes: due 09:15
    case = perform(case.pk, "accept", cast["operator"], at=at(6, 3, 9, 20))
    assert case.accepted_on_time is False
