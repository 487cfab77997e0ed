"""A hand-built month of cases for the indicator, rollup and bulletin tests (its fixtures come through conftest.py).

``story`` replays ten cases of March 2026 through the real workflow service with ``perform(..., at=...)``, each
action's after-commit listeners run (so the rollups are kept by the production hook): on time, late, reworked,
returned, extended, suspended, cancelled after registration, cancelled before it, rejected, and still open past its
deadline.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

TZ = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """``act(case, action, user, when, **params)``: one committed transition, its listeners run."""
    from cases.services.transitions import perform

    def run(case, action, user, when, **params):
        with django_capture_on_commit_callbacks(execute=True):
            return perform(case.pk, action, user, at=when, **params)

    return run


@pytest.fixture
def open_case(new_case, django_capture_on_commit_callbacks):
    """A case reported at *when*, its fact written as intake's hook would."""
    from evaluation.rollups import upkeep

    def make(when, **fields):
        case = new_case(at=when, **fields)
        upkeep(case.pk)
        return case

    return make


@pytest.fixture
def story(open_case, act, cast, wf_class, department, other_department):
    from evaluation.rollups import bump_version

    bump_version()  # figures cached in Redis by an earlier test (another database) must not be served
    op, leader, disp, handler = cast["operator"], cast["leader"], cast["dispatcher"], cast["handler"]
    collector = cast["collector"]
    condition = wf_class["condition"].pk

    def registered(case, day=2):
        act(case, "accept", op, at(day, 9, 5))
        return act(case, "register", leader, at(day, 9, 10), condition=condition)

    def dispatched(case, dept=department, day=2):
        registered(case, day)
        return act(case, "dispatch", disp, at(day, 9, 15), department=dept.pk)

    def close(case, day, hour):
        act(case, "send_check", op, at(day, hour, 5), collector=collector.pk)
        act(case, "check", collector, at(day, hour, 10), passed=True)
        return act(case, "close", leader, at(day, hour, 20))

    cases = {}
    # A: on time all the way.
    c = cases["on_time"] = open_case(at(2, 9))
    dispatched(c)
    act(c, "sign", handler, at(2, 9, 20))
    act(c, "dispose", handler, at(2, 10), opinion="已清运")
    close(c, 2, 10)
    # B: disposed two days late, then closed.
    c = cases["late"] = open_case(at(2, 9))
    dispatched(c)
    act(c, "sign", handler, at(2, 9, 20))
    act(c, "dispose", handler, at(4, 10), opinion="已清运")
    close(c, 4, 10)
    # C: fails the check once (rework), disposed again on time, closed.
    c = cases["rework"] = open_case(at(2, 9))
    dispatched(c)
    act(c, "sign", handler, at(2, 9, 20))
    act(c, "dispose", handler, at(2, 10), opinion="已清运")
    act(c, "send_check", op, at(2, 10, 5), collector=collector.pk)
    act(c, "check", collector, at(2, 10, 10), passed=False, opinion="未清理干净")
    act(c, "dispose", handler, at(2, 11), opinion="已再次清运")
    close(c, 2, 11)
    # D: dispatched to the wrong department, returned, re-dispatched, disposed, closed.
    c = cases["returned"] = open_case(at(2, 9))
    dispatched(c, other_department)
    act(c, "request_return", cast["other_handler"], at(2, 9, 30), reason="不属本单位")
    act(c, "approve_return", disp, at(2, 9, 40))
    act(c, "dispatch", disp, at(2, 9, 45), department=department.pk)
    act(c, "sign", handler, at(2, 9, 50))
    act(c, "dispose", handler, at(2, 11), opinion="已清运")
    close(c, 2, 11)
    # E: extended by one working day, disposed after the first deadline but within the extended one.
    c = cases["extended"] = open_case(at(2, 9))
    dispatched(c)
    act(c, "sign", handler, at(2, 9, 20))
    act(c, "request_extension", handler, at(2, 9, 30), reason="需调机械", value="1", unit="work_days")
    act(c, "approve_extension", disp, at(2, 9, 40))
    act(c, "dispose", handler, at(3, 10), opinion="已清运")
    close(c, 3, 10)
    # F: suspended (挂账), still suspended.
    c = cases["suspended"] = open_case(at(2, 9))
    dispatched(c)
    act(c, "sign", handler, at(2, 9, 20))
    act(c, "request_suspension", handler, at(2, 9, 30), reason="需立项改造")
    act(c, "approve_suspension", disp, at(2, 9, 40))
    # G: registered, then cancelled before dispatch.
    c = cases["cancelled_registered"] = open_case(at(2, 9))
    registered(c)
    act(c, "request_cancel", op, at(2, 9, 15), reason="重复上报")
    act(c, "approve_cancel", leader, at(2, 9, 20), opinion="重复上报")
    # H: cancelled while awaiting acceptance.
    c = cases["cancelled_reported"] = open_case(at(2, 9))
    act(c, "request_cancel", op, at(2, 9, 3), reason="误报")
    act(c, "approve_cancel", leader, at(2, 9, 5), opinion="误报")
    # I: not accepted.
    c = cases["rejected"] = open_case(at(2, 9))
    act(c, "reject", op, at(2, 9, 5), opinion="不属于城管范围")
    # J: dispatched to the other department, signed, never disposed: overdue.
    c = cases["overdue"] = open_case(at(2, 9))
    dispatched(c, other_department)
    act(c, "sign", cast["other_handler"], at(2, 9, 20))
    return cases


def mark_overdue_and_sync():
    """The minute tasks: the cases layer flags overdue cases in bulk; evaluation brings their facts up to date."""
    from cases.tasks import mark_overdue
    from evaluation.rollups import sync_facts

    mark_overdue()
    return sync_facts()
