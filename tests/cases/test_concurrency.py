"""Two dispatchers dispatch the same case at the same moment: exactly one wins."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from cases.exceptions import ActionNotAllowed
from cases.models import CaseEvent
from cases.services.transitions import perform


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once(new_case, cast, wf_class, department, other_department, make_user):
    from core.choices import Role

    second = make_user("dispatcher2", Role.DISPATCHER)
    case = new_case()
    perform(case.pk, "accept", cast["operator"])
    perform(case.pk, "register", cast["leader"], condition=wf_class["condition"].pk)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def dispatch(user, dept):
        try:
            barrier.wait()
            perform(case.pk, "dispatch", user, department=dept.pk)
            outcomes.append("ok")
        except ActionNotAllowed as exc:
            outcomes.append(exc.current_status)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=dispatch, args=(cast["dispatcher"], department)),
        threading.Thread(target=dispatch, args=(second, other_department)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["dispatched", "ok"]
    assert CaseEvent.objects.filter(case=case, action="dispatch").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_extension_requests_at_once_leave_one_pending(new_case, cast, wf_class, department, make_user):
    from cases.models import CaseRequest
    from core.choices import Role

    colleague = make_user("handler2", Role.HANDLER, department=department)
    case = new_case()
    perform(case.pk, "accept", cast["operator"])
    perform(case.pk, "register", cast["leader"], condition=wf_class["condition"].pk)
    perform(case.pk, "dispatch", cast["dispatcher"], department=department.pk)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def ask(user):
        try:
            barrier.wait()
            perform(case.pk, "request_extension", user, value=1, unit="work_days", reason="需协调")
            outcomes.append("ok")
        except ActionNotAllowed as exc:
            outcomes.append(exc.reason)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(user,)) for user in (cast["handler"], colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["a pending extension request exists", "ok"]
    assert CaseRequest.objects.filter(case=case, kind="extension", status="pending").count() == 1
