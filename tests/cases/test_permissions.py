"""Who may do what: every action of the transition table against every role, and who sees which case."""

from __future__ import annotations

import pytest

from cases.exceptions import ActionForbidden, CaseNotFound
from cases.models import Case
from cases.services.transitions import perform
from cases.workflow import TRANSITIONS
from core.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db

ROLES = ["collector", "operator", "leader", "dispatcher", "handler", "supervisor", "finance"]
ROLE_OF = {"leader": "shift_leader"}


def allowed(persona: str, action: str) -> bool:
    permission = TRANSITIONS[action].permission
    return permission in ROLE_PERMISSIONS[ROLE_OF.get(persona, persona)]


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
@pytest.mark.parametrize("persona", ROLES)
def test_role_matrix(persona, action, new_case, cast):
    """A role without the action's permission is refused with 403 (or 404 when it may not even see the case)."""
    case = new_case()
    user = cast[persona]
    if allowed(persona, action):
        return  # what allowed roles achieve is covered by test_workflow; here only refusals are checked
    visible = Case.objects.visible_to(user).filter(pk=case.pk).exists()
    with pytest.raises(ActionForbidden if visible else CaseNotFound):
        perform(case.pk, action, user)


def test_every_action_has_a_role_that_may_do_it():
    for action, rule in TRANSITIONS.items():
        assert any(rule.permission in perms for perms in ROLE_PERMISSIONS.values()), action


def test_department_a_never_sees_department_bs_case(new_case, cast, garbage_class, department):
    case = new_case()
    perform(case.pk, "accept", cast["operator"])
    perform(case.pk, "register", cast["leader"], condition=garbage_class["condition"].pk)
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
