"""The transition machinery every work-order action uses: ``hotlines.workflow.ORDERS`` runs it (visible, permission,
lock, scope, state), records the event and queues notifications through the outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from core.workflow import Outcome, Transition
from hotlines.models import WorkOrder
from hotlines.workflow import ORDERS


def record_event(order: WorkOrder, action: str, actor, from_status: str, to_status: str, *, at, opinion="", data=None):
    return ORDERS.record_event(order, action, actor, from_status, to_status, at=at, opinion=opinion, data=data)


def may_take(order: WorkOrder, actor, rule: Transition) -> bool:
    """The permission and, for department actions, the order being with the actor's department (status aside)."""
    return ORDERS.may_take(order, actor, rule)


def _precondition(order: WorkOrder, action: str) -> bool:
    """An action's own condition beyond the status (shown only when it can succeed)."""
    if action == "request_extension":
        return order.extension_requested_days is None
    if action == "deny_extension":
        return order.extension_requested_days is not None
    return True


def available_actions(order: WorkOrder, user) -> list[Transition]:
    return [t for t in ORDERS.candidates(order, user) if _precondition(order, t.action)]


def order_url(order_id: int) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("hotlines:detail", args=[order_id])
    except NoReverseMatch:
        return ""


def notify_later(outcome: Outcome, recipients: dict, kind: str, message, key: str, **values) -> None:
    """Notify *recipients* (``department`` and/or ``permission``) through the outbox: a rolled-back action tells
    nobody, a committed one tells them once even if the process dies right after the commit."""
    from core.notifications import render

    payload = {"kind": kind, "message": render(message, **values), "url": order_url(values["order_id"])}
    outcome.messages.append(("cases.notifications.deliver", {**payload, "dedupe_key": key, **recipients}))


def department_handlers(department_id) -> dict:
    return {"department": department_id}


def operators() -> dict:
    """The people who re-transfer a sent-back order: every active user whose role carries transfer_workorder."""
    return {"permission": "hotlines.transfer_workorder"}


def run_action(
    order_id: int, action: str, actor, at: datetime | None, apply: Callable[[WorkOrder, datetime], Outcome]
) -> WorkOrder:
    return ORDERS.run(order_id, action, actor, apply, at=at)


def mark_completed(order: WorkOrder, now: datetime) -> None:
    order.completed_at = now
    order.completed_on_time = now <= order.deadline
