"""Deadlines on real dates: a disposal limit across National Day 2025, extensions, suspension, traffic lights."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cases.choices import CaseStatus as S
from cases.choices import TrafficLight
from cases.deadlines import case_overtime_multiple, overtime_multiple, traffic_light
from cases.services import perform

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(m, d, hh, mm=0, y=2025):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def dispatched_at(new_case, cast, wf_class, department, when):
    case = new_case(at=when)
    perform(case.pk, "accept", cast["operator"], at=when)
    perform(case.pk, "register", cast["leader"], condition=wf_class["condition"].pk, at=when)
    return perform(case.pk, "dispatch", cast["dispatcher"], department=department.pk, at=when)


def test_disposal_limit_runs_across_national_day(new_case, cast, wf_class, department):
    # Dispatched Tuesday 30 Sep 2025 at 16:00 with 4 working hours: 2 h that day, 1–8 Oct off, due 9 Oct 10:00.
    case = dispatched_at(new_case, cast, wf_class, department, at(9, 30, 16))
    assert case.disposal_deadline == at(10, 9, 10)
    assert case.stage_deadline == case.disposal_deadline
    perform(case.pk, "sign", cast["handler"], at=at(10, 9, 8, 30))
    case = perform(case.pk, "dispose", cast["handler"], opinion="ok", at=at(10, 9, 9, 59))
    assert case.disposed_on_time is True


def test_late_disposal_is_not_on_time(new_case, cast, wf_class, department):
    case = dispatched_at(new_case, cast, wf_class, department, at(9, 30, 16))
    perform(case.pk, "sign", cast["handler"], at=at(10, 9, 8, 30))
    case = perform(case.pk, "dispose", cast["handler"], opinion="ok", at=at(10, 9, 10, 1))
    assert case.disposed_on_time is False


def test_extension_adds_working_time_to_the_bundled_deadline(new_case, cast, wf_class, department):
    case = dispatched_at(new_case, cast, wf_class, department, at(9, 30, 16))
    perform(case.pk, "request_extension", cast["handler"], value="1", unit="work_days", reason="x", at=at(10, 9, 9))
    case = perform(case.pk, "approve_extension", cast["dispatcher"], at=at(10, 9, 9, 30))
    assert case.disposal_deadline == at(10, 10, 10)  # one more working day after 9 Oct 10:00


def test_suspension_over_a_weekend_leaves_the_suspended_time_out(new_case, cast, wf_class, department):
    # Dispatched Friday 10 Oct 2025 09:00 with 4 working hours: 09–12 and 14–15, due 15:00 the same day.
    case = dispatched_at(new_case, cast, wf_class, department, at(10, 10, 9))
    assert case.disposal_deadline == at(10, 10, 15)
    perform(case.pk, "request_suspension", cast["handler"], reason="等待管网改造", at=at(10, 10, 10))
    case = perform(case.pk, "approve_suspension", cast["dispatcher"], at=at(10, 10, 11))  # 11–12, 14–15 left
    assert case.disposal_minutes_left == 120
    # Resumed Tuesday 14 Oct 09:00 (Saturday 11 Oct was a working day, but the case was suspended).
    case = perform(case.pk, "resume", cast["dispatcher"], at=at(10, 14, 9))
    assert case.status == S.DISPATCHED and case.disposal_deadline == at(10, 14, 11)


def test_traffic_light_boundaries(new_case, cast, wf_class, department):
    case = dispatched_at(new_case, cast, wf_class, department, at(6, 3, 8))  # 4 h: due 12:00 Tuesday 3 June
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


def test_traffic_light_counts_an_extension_in_the_limit(new_case, cast, wf_class, department):
    case = dispatched_at(new_case, cast, wf_class, department, at(6, 3, 8))  # 4 h, due 12:00
    perform(case.pk, "request_extension", cast["handler"], value="4", unit="work_hours", reason="x", at=at(6, 3, 9))
    case = perform(case.pk, "approve_extension", cast["dispatcher"], at=at(6, 3, 9))  # 8 h: due 18:00
    assert case.disposal_deadline == at(6, 3, 18)
    assert traffic_light(case, at(6, 3, 16, 23)) == TrafficLight.GREEN  # 383 of 480 minutes: 79.8 %
    assert traffic_light(case, at(6, 3, 16, 24)) == TrafficLight.YELLOW  # 384 of 480: 80 %
    assert traffic_light(case, at(6, 4, 8, 1)) == TrafficLight.RED
    assert case_overtime_multiple(case, at(6, 4, 12)) == 0.5  # 720 of 480 minutes used


def test_suspended_time_counts_neither_as_used_nor_as_overdue(new_case, cast, wf_class, department):
    case = dispatched_at(new_case, cast, wf_class, department, at(6, 3, 8))  # 4 h, due 12:00 Tuesday
    perform(case.pk, "request_suspension", cast["handler"], reason="等待管网改造", at=at(6, 3, 9))
    case = perform(case.pk, "approve_suspension", cast["dispatcher"], at=at(6, 3, 10))  # 120 minutes left
    assert traffic_light(case, at(6, 10, 10)) is None  # no running clock while suspended
    case = perform(case.pk, "resume", cast["dispatcher"], at=at(6, 10, 8))  # a week later
    assert case.disposal_deadline == at(6, 10, 10) and not case.is_overdue
    assert traffic_light(case, at(6, 10, 9, 11)) == TrafficLight.GREEN  # 191 of 240 used: the week left out
    assert traffic_light(case, at(6, 10, 9, 12)) == TrafficLight.YELLOW


def test_rework_starts_a_fresh_disposal_limit(new_case, cast, wf_class, department):
    case = dispatched_at(new_case, cast, wf_class, department, at(6, 3, 8))
    perform(case.pk, "sign", cast["handler"], at=at(6, 3, 9))
    perform(case.pk, "dispose", cast["handler"], opinion="ok", at=at(6, 3, 10))
    perform(case.pk, "send_check", cast["operator"], collector=cast["collector"].pk, at=at(6, 3, 10))
    case = perform(case.pk, "check", cast["collector"], passed=False, opinion="仍有垃圾", at=at(6, 3, 10, 20))
    assert case.checked_on_time is True  # within 30 working minutes of the task
    assert case.disposal_deadline == at(6, 3, 16, 20)  # 10:20–12:00 and 14:00–16:20


def test_a_stage_limit_edited_in_the_admin_applies_at_once(new_case, cast):
    from cases.models import StageLimit

    StageLimit.objects.filter(stage="accept").update(value=120)  # queryset update: no signal, so clear by hand
    from cases.deadlines import clear_limit_cache

    clear_limit_cache()
    assert new_case(at=at(6, 3, 9)).stage_deadline == at(6, 3, 11)
    limit = StageLimit.objects.get(stage="accept")
    limit.value = 30
    limit.save()  # a save clears the cache through the signal
    assert new_case(at=at(6, 3, 9)).stage_deadline == at(6, 3, 9, 30)


def test_default_stage_limits_exist_after_migrate():
    from cases.models import StageLimit

    limits = {row.stage: (int(row.value), row.unit) for row in StageLimit.objects.all()}
    assert limits["verify"] == (30, "work_minutes") and limits["check"] == (30, "work_minutes")
    assert set(limits) == {"accept", "verify", "register", "dispatch", "check", "close"}


def test_a_seven_by_twenty_four_limit_runs_through_the_night(new_case, cast, wf_class, department):
    from decimal import Decimal

    condition = wf_class["condition"]
    condition.limit_value, condition.limit_unit = Decimal(2), "natural_hours"
    condition.save()
    case = dispatched_at(new_case, cast, wf_class, department, at(10, 1, 23))  # National Day, 23:00
    assert case.disposal_deadline == at(10, 2, 1)
    assert traffic_light(case, at(10, 2, 0, 35)) == TrafficLight.GREEN  # 95 of 120 natural minutes
    assert traffic_light(case, at(10, 2, 0, 36)) == TrafficLight.YELLOW  # 96 of 120: 80 %
