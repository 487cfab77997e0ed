"""A department's actions on an order transferred to it: 签收, 处理, 答复 and 退回."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from core.workflow import Outcome
from hotlines.choices import OrderStatus
from hotlines.exceptions import OrderActionNotAllowed
from hotlines.models import WorkOrder
from hotlines.receiving import (
    MAX_CONTENT,
    send_back_deadline,
)
from hotlines.services.params import text_param
from hotlines.services.runner import (
    notify_later,
    operators,
    run_action,
)

S = OrderStatus


def sign(order_id: int, actor, *, at: datetime | None = None) -> WorkOrder:
    """签收 by the department the order is with (also after a redo)."""

    def apply(order, now):
        order.signed_at = now
        return Outcome(S.HANDLING)

    return run_action(order_id, "sign", actor, at, apply)


def handle(order_id: int, actor, *, opinion: str, at: datetime | None = None) -> WorkOrder:
    """办理: the department records what it did."""

    def apply(order, now):
        order.handled_at = now
        return Outcome(S.HANDLED, opinion=text_param(opinion, "opinion", required=True))

    return run_action(order_id, "handle", actor, at, apply)


def reply(order_id: int, actor, *, reply: str, at: datetime | None = None) -> WorkOrder:
    """答复: the department's answer to the citizen (pulled back by the 12345 platform)."""

    def apply(order, now):
        order.reply_text = text_param(reply, "reply", required=True, limit=MAX_CONTENT)
        order.replied_at = now
        return Outcome(S.REPLIED, opinion=order.reply_text)

    return run_action(order_id, "reply", actor, at, apply)


def send_back(order_id: int, actor, *, reason: str, at: datetime | None = None) -> WorkOrder:
    """退单: the department says the order is not theirs, with a reason, within the hotline's limit after transfer."""

    def apply(order, now):
        text = text_param(reason, "reason", required=True)
        limit = send_back_deadline(order)
        if limit is not None and now > limit:
            raise OrderActionNotAllowed("send_back", order.status, _("The send-back limit has passed."))
        department_id = order.department_id
        order.department = None
        order.send_back_count += 1
        order.signed_at = None
        outcome = Outcome(S.SENT_BACK, {"department": department_id, "count": order.send_back_count}, opinion=text)
        notify_later(
            outcome,
            operators(),
            "workorder_sent_back",
            _("Hotline order %(no)s was sent back: %(reason)s"),
            f"wo-sendback:{order.pk}:{order.send_back_count}",
            no=str(order),
            reason=text[:100],
            order_id=order.pk,
        )
        return outcome

    return run_action(order_id, "send_back", actor, at, apply)
