"""Who may do what with a work order: every action of the transition table against every role (the hotline's
role × action matrix, like the cases' in tests/cases/test_permissions.py)."""

from __future__ import annotations

import pytest

from core.roles import ROLE_PERMISSIONS
from hotlines.exceptions import OrderForbidden, OrderNotFound
from hotlines.models import WorkOrder
from hotlines.services import perform
from hotlines.workflow import TRANSITIONS
from tests.fixtures.small_city import INSIDE

pytestmark = pytest.mark.django_db

PERSONAS = ["collector", "operator", "leader", "dispatcher", "handler", "supervisor", "finance", "admin", "platform"]
ROLE_OF = {"leader": "shift_leader", "platform": "hotline_platform"}
# Converting an order files a case through intake: the case layer's report permission is needed as well.
ALSO_NEEDED = {"convert": "cases.report_case"}

# How to bring a fresh order (received by the operator) to a status the action may start from.
TO_TRANSFERRED = [("transfer", "operator", {"department": "$department"})]
TO_HANDLING = [*TO_TRANSFERRED, ("sign", "handler", {})]
TO_HANDLED = [*TO_HANDLING, ("handle", "handler", {"opinion": "已派人清运"})]
TO_REPLIED = [*TO_HANDLED, ("reply", "handler", {"reply": "已清运完毕"})]
SETUP = {
    "answer_directly": [],
    "transfer": [],
    "convert": [],
    "sign": TO_TRANSFERRED,
    "handle": TO_HANDLING,
    "reply": TO_HANDLED,
    "send_back": TO_TRANSFERRED,
    "visit": TO_REPLIED,
    "complete": TO_REPLIED,
    "request_extension": TO_TRANSFERRED,
    "extend": TO_TRANSFERRED,
    "deny_extension": [*TO_TRANSFERRED, ("request_extension", "handler", {"days": 2, "reason": "需协调"})],
    "urge": TO_TRANSFERRED,
}
PARAMS = {
    "answer_directly": {"reply": "已电话答复"},
    "transfer": {"department": "$department"},
    "convert": {"class_code": "06010", "lng": INSIDE[0], "lat": INSIDE[1]},
    "handle": {"opinion": "已派人清运"},
    "reply": {"reply": "已清运完毕"},
    "send_back": {"reason": "不属于本单位"},
    "visit": {"satisfaction": "satisfied"},
    "request_extension": {"days": 2, "reason": "需协调"},
    "extend": {"days": 2, "reason": "同意"},
    "deny_extension": {"reason": "不同意"},
    "urge": {"opinion": "尽快办理"},
}


def expected_to_succeed(persona: str, action: str) -> bool:
    """The role's permission (and any the action also needs); department actions only for the department the
    order is with (the handler persona's)."""
    held = ROLE_PERMISSIONS[ROLE_OF.get(persona, persona)]
    needed = [TRANSITIONS[action].permission, *filter(None, [ALSO_NEEDED.get(action)])]
    if held != ["*"] and not all(permission in held for permission in needed):
        return False
    return TRANSITIONS[action].scope != "department" or persona == "handler"


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_role_matrix(persona, action, receive_order, cast, platform, department, base_map, garbage_class):
    """Each role × each action, from a status the action allows: allowed roles succeed and write one event naming
    them; others are refused (403), or told the order does not exist (404) when they may not see it."""
    people = {**cast, "platform": platform}
    values = {"$department": department.pk}
    order = receive_order()
    for step, who, params in SETUP[action]:
        perform(order.pk, step, people[who], **{k: values.get(v, v) for k, v in params.items()})
    user = people[persona]
    params = {k: values.get(v, v) for k, v in PARAMS.get(action, {}).items()}
    events_before = order.events.count()
    if expected_to_succeed(persona, action):
        perform(order.pk, action, user, **params)
        last = order.events.order_by("-id").first()
        assert order.events.count() == events_before + 1
        assert (last.action, last.actor, last.role) == (action, user, user.role)
        return
    visible = WorkOrder.objects.visible_to(user).filter(pk=order.pk).exists()
    with pytest.raises(OrderForbidden if visible else OrderNotFound):
        perform(order.pk, action, user, **params)
    assert order.events.count() == events_before


def test_every_action_has_a_role_that_may_do_it():
    for action, rule in TRANSITIONS.items():
        assert any(rule.permission in perms for perms in ROLE_PERMISSIONS.values()), action


def test_another_department_never_sees_the_order(receive_order, cast, department):
    order = receive_order()
    perform(order.pk, "transfer", cast["operator"], department=department.pk)
    assert WorkOrder.objects.visible_to(cast["handler"]).filter(pk=order.pk).exists()
    assert not WorkOrder.objects.visible_to(cast["other_handler"]).filter(pk=order.pk).exists()
    with pytest.raises(OrderNotFound):
        perform(order.pk, "sign", cast["other_handler"])
