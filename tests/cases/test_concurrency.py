"""Two dispatchers dispatch the same case at the same moment: exactly one wins."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from cases.exceptions import ActionNotAllowed
from cases.models import CaseEvent
from cases.services.transitions import perform


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once(new_case, cast, garbage_class, department, other_department, make_user):
    from core.choices import Role

    second = make_user("dispatcher2", Role.DISPATCHER)
    case = new_case()
    perform(case.pk, "accept", cast["operator"])
    perform(case.pk, "register", cast["leader"], condition=garbage_class["condition"].pk)
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
