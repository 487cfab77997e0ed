"""A working desk for the home-page tests: cases waiting in several queues right now — one overdue, one turning
yellow within the next working hour, one comfortably green — some of today's intake from several channels, cases
with the handler's department, a collector's task, unread notifications and a self-evaluation with findings."""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.fixture
def desk(new_case, cast, wf_class, department, other_department, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from cases.choices import CaseSource, CaseStatus, Stage
    from cases.deadlines import stage_limit
    from cases.models import Case
    from cases.services.transitions import perform
    from core.choices import TimeUnit
    from core.models import Notification
    from core.worktime import add_duration, limit_in_minutes

    now = timezone.now()
    accept_minutes = limit_in_minutes(*[float(stage_limit(Stage.ACCEPT)[0]), stage_limit(Stage.ACCEPT)[1]], now)

    def act(case, action, user, **params):
        with django_capture_on_commit_callbacks(execute=True):
            return perform(case.pk, action, user, **params)

    # 待受理: three reports; one overdue, one turning yellow soon, one fresh.
    late = new_case(source=CaseSource.COLLECTOR)
    Case.objects.filter(pk=late.pk).update(stage_deadline=now - timedelta(hours=3), is_overdue=True)
    soon = new_case(source=CaseSource.HOTLINE_12345)
    soon_deadline = add_duration(now, 0.2 * accept_minutes + 30, TimeUnit.WORK_MINUTES)
    Case.objects.filter(pk=soon.pk).update(stage_deadline=soon_deadline)
    fresh = new_case(source=CaseSource.VIDEO)  # green for hours yet
    Case.objects.filter(pk=fresh.pk).update(stage_deadline=add_duration(now, 10, TimeUnit.WORK_HOURS))
    # Two with the handler's department (待签收), one with another department.
    dispatched = []
    for dept in (department, department, other_department):
        case = new_case(source=CaseSource.COLLECTOR)
        act(case, "accept", cast["operator"])
        act(case, "register", cast["leader"], condition=wf_class["condition"].pk)
        act(case, "dispatch", cast["dispatcher"], department=dept.pk)
        dispatched.append(case)
    # One the handler signed (处置中).
    act(dispatched[1], "sign", cast["handler"])
    # A verify task for the collector (a public report sent to check on site).
    task = new_case(source=CaseSource.ONLINE, reporter=cast["operator"])
    act(task, "send_verify", cast["operator"], collector=cast["collector"].pk)
    for user in (cast["dispatcher"], cast["handler"]):
        Notification.objects.create(recipient=user, kind="test", message="测试通知：案件超期", url="/cases/")
    return {"late": late, "soon": soon, "dispatched": dispatched, "task": task, "status": CaseStatus}
