"""The every-minute overdue scan (cases.tasks.mark_overdue): marks, notifies once, and is safe to re-run."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cases.choices import CaseStatus as S
from cases.models import Case
from cases.services import perform
from cases.tasks import mark_overdue
from core.models import Notification
from core.notifications import mark_read, unread_count

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(d, hh, mm=0):
    return datetime(2025, 6, d, hh, mm, tzinfo=SH)


def run(moment: datetime) -> int:
    return mark_overdue.apply(kwargs={"now": moment.isoformat()}).get()


@pytest.fixture
def disposing(new_case, cast, wf_class, department):
    """A case dispatched on Tuesday 3 June 2025 at 08:00 with 4 working hours: due 12:00."""
    case = new_case(at=at(3, 8))
    perform(case.pk, "accept", cast["operator"], at=at(3, 8))
    perform(case.pk, "register", cast["leader"], condition=wf_class["condition"].pk, at=at(3, 8))
    return perform(case.pk, "dispatch", cast["dispatcher"], department=department.pk, at=at(3, 8))


def test_marks_a_case_past_its_disposal_deadline_and_notifies_once(disposing, cast, make_user, other_department):
    from core.choices import Role

    second_dispatcher = make_user("dispatcher2", Role.DISPATCHER)
    stranger = make_user("stranger", Role.HANDLER, department=other_department)
    assert run(at(3, 11, 59)) == 0
    assert not Case.objects.get(pk=disposing.pk).is_overdue
    assert run(at(3, 12, 1)) == 1
    assert Case.objects.get(pk=disposing.pk).is_overdue
    assert Case.objects.overdue().filter(pk=disposing.pk).exists()
    notified = set(Notification.objects.filter(kind="case_overdue").values_list("recipient__username", flat=True))
    assert notified == {"dispatcher", "dispatcher2", "handler"}  # every dispatcher and the department's handler
    assert second_dispatcher.username in notified and stranger.username not in notified
    note = Notification.objects.get(recipient=cast["handler"], kind="case_overdue")
    assert disposing.case_no in note.message and note.url.endswith(f"/{disposing.pk}/")
    # Idempotent: a second and third run change nothing and notify nobody again.
    assert run(at(3, 12, 2)) == 0
    assert run(at(3, 15)) == 0
    assert Notification.objects.filter(kind="case_overdue").count() == 3


def test_the_unread_count_follows_notifications(disposing, cast):
    run(at(3, 12, 1))
    assert unread_count(cast["handler"]) == 1
    assert mark_read(cast["handler"]) == 1
    assert unread_count(cast["handler"]) == 0


def test_a_suspended_case_is_never_overdue(disposing, cast):
    perform(disposing.pk, "request_suspension", cast["handler"], reason="待立项", at=at(3, 9))
    perform(disposing.pk, "approve_suspension", cast["dispatcher"], at=at(3, 10))
    assert run(at(20, 12)) == 0
    assert not Case.objects.get(pk=disposing.pk).is_overdue


def test_an_extension_clears_the_flag_and_a_new_deadline_can_be_missed_again(disposing, cast):
    run(at(3, 12, 1))
    perform(disposing.pk, "request_extension", cast["handler"], value="1", unit="work_days", reason="x", at=at(3, 14))
    case = perform(disposing.pk, "approve_extension", cast["dispatcher"], at=at(3, 14, 30))
    assert not case.is_overdue and case.disposal_deadline == at(4, 12)
    assert run(at(4, 11)) == 0
    assert run(at(4, 12, 1)) == 1
    # A new deadline is a new notice: the department hears of each missed deadline once.
    assert Notification.objects.filter(recipient=cast["handler"], kind="case_overdue").count() == 2


def test_other_stages_notify_the_role_that_must_act(new_case, cast):
    case = new_case(at=at(3, 9))  # acceptance due 09:15
    assert run(at(3, 9, 16)) == 1
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"operator"}
    case = perform(case.pk, "accept", cast["operator"], at=at(3, 9, 20))
    assert case.status == S.ACCEPTED and case.accepted_on_time is False and not case.is_overdue


def test_the_verifying_collector_hears_of_a_late_task(new_case, cast):
    case = new_case(at=at(3, 9), source="hotline_12345", reporter=cast["operator"])
    perform(case.pk, "send_verify", cast["operator"], collector=cast["collector2"].pk, at=at(3, 9))
    assert run(at(3, 9, 31)) == 1  # 30 working minutes to verify
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"operator", "collector2"}


def test_closed_and_terminal_cases_are_left_alone(new_case, cast):
    case = new_case(at=at(3, 9))
    perform(case.pk, "reject", cast["operator"], opinion="重复", at=at(3, 9, 5))
    assert run(at(10, 9)) == 0
    assert not Notification.objects.exists()


def test_many_cases_in_one_statement(new_case, django_assert_max_num_queries, cast):
    for _ in range(30):
        new_case(at=at(3, 9))
    with django_assert_max_num_queries(6):  # the UPDATE, one look-up per role, one INSERT: not one per case
        assert run(at(3, 10)) == 30
    assert Notification.objects.filter(recipient=cast["operator"]).count() == 30


def test_watchers_are_chosen_by_permission_and_the_administrator_is_not_on_watch(new_case, cast, make_user):
    from django.contrib.auth.models import Permission

    from core.choices import Role

    deputy = make_user("deputy", Role.SUPERVISOR)  # no watch by role, given acceptance's roster in person
    deputy.user_permissions.add(Permission.objects.get(codename="watch_accept_overdue"))
    make_user("root", Role.ADMIN, is_superuser=True)
    new_case(at=at(3, 9))  # acceptance due 09:15
    assert run(at(3, 9, 16)) == 1
    notified = set(Notification.objects.values_list("recipient__username", flat=True))
    assert notified == {"operator", "deputy"}  # not "admin" nor "root", though they hold every other permission
