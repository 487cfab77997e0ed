"""Bulk replay of past actions (cases.history) ends where the live workflow would, with the same timeline."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from cases.exceptions import ActionForbidden
from cases.history import Step, replay, save_replayed
from cases.models import Case, CaseEvent
from cases.services import perform

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday


def _steps(cast, wf_class, department):
    at = START
    plan = [
        ("accept", "operator", {}),
        ("register", "leader", {"condition": wf_class["condition"].pk}),
        ("dispatch", "dispatcher", {"department": department.pk}),
        ("sign", "handler", {}),
        ("request_extension", "handler", {"value": 1, "unit": "work_days", "reason": "需协调"}),
        ("approve_extension", "dispatcher", {"opinion": "同意"}),
        ("request_suspension", "handler", {"reason": "待立项"}),
        ("approve_suspension", "dispatcher", {}),
        ("resume", "dispatcher", {}),
        ("urge", "supervisor", {"opinion": "尽快"}),
        ("dispose", "handler", {"opinion": "已处理"}),
        ("send_check", "operator", {"collector": cast["collector"].pk}),
        ("check", "collector", {"passed": False, "opinion": "仍有垃圾"}),
        ("dispose", "handler", {"opinion": "已返工"}),
        ("send_check", "operator", {"collector": cast["collector"].pk}),
        ("check", "collector", {"passed": True}),
        ("close", "leader", {}),
    ]
    steps = []
    for index, (action, who, params) in enumerate(plan):
        at += timedelta(hours=3 if action == "resume" else 0, minutes=7 + index)
        steps.append(Step(action, cast[who], at, params))
    return steps


UNCOMPARED = {"id", "case_no", "client_uuid", "updated_at"}  # what differs between two cases by construction
COMPARED = [f.attname for f in Case._meta.concrete_fields if f.name not in UNCOMPARED]


def test_replay_ends_where_perform_does(new_case, cast, wf_class, department):
    live, replayed = new_case(at=START), new_case(at=START)
    steps = _steps(cast, wf_class, department)
    for step in steps:
        perform(live.pk, step.action, step.actor, at=step.at, **step.params)
    with transaction.atomic():
        replayed = Case.objects.get(pk=replayed.pk)
        events = replay(replayed, steps)
        save_replayed([replayed], events)
    live.refresh_from_db()
    replayed.refresh_from_db()
    assert live.status == "closed" and live.rework_count == 1 and live.extension_count == 1
    for name in COMPARED:
        if name in {"location"}:
            continue
        assert getattr(live, name) == getattr(replayed, name), name

    def timeline(case):
        rows = CaseEvent.objects.filter(case=case).order_by("at", "id")
        return [
            (e.action, e.actor_id, e.role, e.from_status, e.to_status, e.at, e.opinion, sorted(e.data)) for e in rows
        ]

    assert timeline(live) == timeline(replayed)
    assert replayed.updated_at == steps[-1].at


def test_replay_checks_permissions_like_perform(new_case, cast):
    case = new_case(at=START)
    with pytest.raises(ActionForbidden):
        replay(case, [Step("accept", cast["collector"], START + timedelta(minutes=5))])
