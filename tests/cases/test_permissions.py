"""Who may do what: every action of the transition table against every role, and who sees which case."""

from __future__ import annotations

import pytest

from cases.choices import CaseSource
from cases.exceptions import ActionForbidden, CaseNotFound
from cases.models import Case
from cases.services import perform
from cases.workflow import COLLECTOR_TASK_ACTIONS, DEPARTMENT_ACTIONS, TRANSITIONS
from core.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db

PERSONAS = ["collector", "operator", "leader", "dispatcher", "handler", "supervisor", "finance", "admin"]
ROLE_OF = {"leader": "shift_leader"}

# How to bring a fresh case to a status the action may start from: steps (action, persona, params), with the
# placeholders "$collector", "$department", "$condition" filled from the fixtures.
TO_REPORTED: list = []
TO_ACCEPTED = [("accept", "operator", {})]
TO_REGISTERED = [*TO_ACCEPTED, ("register", "leader", {"condition": "$condition"})]
TO_DISPATCHED = [*TO_REGISTERED, ("dispatch", "dispatcher", {"department": "$department"})]
TO_DISPOSING = [*TO_DISPATCHED, ("sign", "handler", {})]
TO_DISPOSED = [*TO_DISPOSING, ("dispose", "handler", {"opinion": "已处理"})]
SETUP = {
    "send_verify": TO_REPORTED,
    "verify": [("send_verify", "operator", {"collector": "$collector"})],
    "accept": TO_REPORTED,
    "reject": TO_REPORTED,
    "merge": TO_REPORTED,
    "register": TO_ACCEPTED,
    "refuse": TO_ACCEPTED,
    "dispatch": TO_REGISTERED,
    "forward": TO_DISPATCHED,
    "sign": TO_DISPATCHED,
    "dispose": TO_DISPOSING,
    "request_return": TO_DISPOSING,
    "approve_return": [*TO_DISPOSING, ("request_return", "handler", {"reason": "非本单位"})],
    "deny_return": [*TO_DISPOSING, ("request_return", "handler", {"reason": "非本单位"})],
    "request_extension": TO_DISPOSING,
    "approve_extension": [*TO_DISPOSING, ("request_extension", "handler", {"value": 1, "reason": "x"})],
    "deny_extension": [*TO_DISPOSING, ("request_extension", "handler", {"value": 1, "reason": "x"})],
    "request_suspension": TO_DISPOSING,
    "approve_suspension": [*TO_DISPOSING, ("request_suspension", "handler", {"reason": "待立项"})],
    "deny_suspension": [*TO_DISPOSING, ("request_suspension", "handler", {"reason": "待立项"})],
    "resume": [
        *TO_DISPOSING,
        ("request_suspension", "handler", {"reason": "待立项"}),
        ("approve_suspension", "dispatcher", {}),
    ],
    "send_check": TO_DISPOSED,
    "check": [*TO_DISPOSED, ("send_check", "operator", {"collector": "$collector"})],
    "close": [
        *TO_DISPOSED,
        ("send_check", "operator", {"collector": "$collector"}),
        ("check", "collector", {"passed": True}),
    ],
    "request_cancel": TO_REPORTED,
    "approve_cancel": [("request_cancel", "operator", {"reason": "误报"})],
    "deny_cancel": [("request_cancel", "operator", {"reason": "误报"})],
    "urge": TO_DISPOSING,
    # 回访 asks the reporter of a closed web opinion or citizen's report (the case is made with source "online").
    "revisit": [
        ("send_verify", "operator", {"collector": "$collector"}),  # a public or web report is verified first
        ("verify", "collector", {"verified": True}),
        *TO_DISPOSED,
        ("send_check", "operator", {"collector": "$collector"}),
        ("check", "collector", {"passed": True}),
        ("close", "leader", {}),
    ],
}
PARAMS = {
    "send_verify": {"collector": "$collector"},
    "verify": {"verified": True},
    "reject": {"opinion": "不属于城管"},
    "merge": {"original": "$original"},
    "register": {"condition": "$condition"},
    "refuse": {"opinion": "不予立案"},
    "dispatch": {"department": "$department"},
    "forward": {"department": "$sub_unit"},
    "dispose": {"opinion": "已清运"},
    "request_return": {"reason": "非本单位"},
    "request_extension": {"value": 1, "unit": "work_days", "reason": "需协调"},
    "request_suspension": {"reason": "待立项"},
    "send_check": {"collector": "$collector"},
    "check": {"passed": True},
    "request_cancel": {"reason": "误报"},
    "approve_cancel": {"opinion": "同意"},
    "revisit": {"satisfaction": "satisfied"},
    "urge": {"opinion": "尽快"},
}


def expected_to_succeed(persona: str, action: str) -> bool:
    """The permission of the role, and for department and collector-task actions, the case must be theirs: the
    case goes to the handler's department and the on-site tasks to the collector persona."""
    if TRANSITIONS[action].permission not in ROLE_PERMISSIONS[ROLE_OF.get(persona, persona)] and persona != "admin":
        return False
    if action in DEPARTMENT_ACTIONS:
        return persona == "handler"
    if action in COLLECTOR_TASK_ACTIONS:
        return persona == "collector"
    return True


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_role_matrix(persona, action, new_case, cast, wf_class, department):
    """Each role × each action, from a status the action allows: allowed roles succeed and write one event naming
    them; others get 403, or 404 when they may not even see the case."""
    values = {
        "$collector": cast["collector"].pk,
        "$department": department.pk,
        "$condition": wf_class["condition"].pk,
    }
    case = new_case(source=CaseSource.ONLINE) if action == "revisit" else new_case()
    if action == "merge":
        values["$original"] = new_case().pk
    if action == "forward":
        from core.models import Department

        values["$sub_unit"] = Department.objects.create(code="team-1", name="东片区", parent=department).pk
    for step, who, params in SETUP[action]:
        perform(case.pk, step, cast[who], **{k: values.get(v, v) for k, v in params.items()})
    user = cast[persona]
    params = {k: values.get(v, v) for k, v in PARAMS.get(action, {}).items()}
    events_before = case.events.count()
    if expected_to_succeed(persona, action):
        perform(case.pk, action, user, **params)
        last = case.events.order_by("-id").first()
        assert case.events.count() == events_before + 1
        assert (last.action, last.actor, last.role) == (action, user, user.role)
        return
    visible = Case.objects.visible_to(user).filter(pk=case.pk).exists()
    with pytest.raises(ActionForbidden if visible else CaseNotFound):
        perform(case.pk, action, user, **params)
    assert case.events.count() == events_before


def test_every_action_has_a_role_that_may_do_it():
    for action, rule in TRANSITIONS.items():
        assert any(rule.permission in perms for perms in ROLE_PERMISSIONS.values()), action


def test_department_a_never_sees_department_bs_case(new_case, cast, wf_class, department):
    case = new_case()
    perform(case.pk, "accept", cast["operator"])
    perform(case.pk, "register", cast["leader"], condition=wf_class["condition"].pk)
    perform(case.pk, "dispatch", cast["dispatcher"], department=department.pk)
    assert Case.objects.visible_to(cast["handler"]).filter(pk=case.pk).exists()
    assert not Case.objects.visible_to(cast["other_handler"]).filter(pk=case.pk).exists()
    with pytest.raises(CaseNotFound):
        perform(case.pk, "sign", cast["other_handler"])


def test_a_collector_sees_own_reports_and_tasks_only(new_case, cast):
    mine = new_case()
    theirs = new_case(reporter=cast["operator"], source="hotline_12345")
    assert set(Case.objects.visible_to(cast["collector"])) == {mine}
    assert not Case.objects.visible_to(cast["collector2"]).exists()
    perform(theirs.pk, "send_verify", cast["operator"], collector=cast["collector2"].pk)
    assert set(Case.objects.visible_to(cast["collector2"])) == {theirs}
    with pytest.raises(CaseNotFound):  # another collector's task is not even visible
        perform(theirs.pk, "verify", cast["collector"])


def test_a_collector_sees_the_cases_of_their_duty_grid(new_case, cast, base_map):
    from grids.models import DutyGrid

    case = new_case(reporter=cast["operator"], source="hotline_12345")
    duty = DutyGrid.objects.create(code="ZR1", name="东关责任网格")
    duty.unit_grids.add(base_map["grids"][0])
    duty.collectors.add(cast["collector2"])
    assert list(Case.objects.visible_to(cast["collector2"])) == [case]


def test_finance_sees_no_cases(new_case, cast):
    new_case()
    assert not Case.objects.visible_to(cast["finance"]).exists()
