"""The centre desk's actions on an order: 直接办结, 转办, 转案件, 回访, 办结 and 催办."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.utils.translation import gettext as _

from core.workflow import Outcome
from hotlines.choices import SATISFIED, OrderStatus
from hotlines.exceptions import OrderForbidden
from hotlines.models import WorkOrder
from hotlines.receiving import (
    MAX_CONTENT,
    compute_deadline,
    parse_satisfaction,
)
from hotlines.services.params import department_param, flag_param, text_param
from hotlines.services.runner import (
    department_handlers,
    mark_completed,
    notify_later,
    run_action,
)

S = OrderStatus


CASE_UUID_NAMESPACE = uuid.UUID("6c1f3a52-4f0e-4b8e-9a55-2a1f0c9e1234")  # converted orders → case client_uuid


def answer_directly(order_id: int, actor, *, reply: str, at: datetime | None = None) -> WorkOrder:
    """直接办结: the operator answers on the spot; the order is replied and completed at once."""

    def apply(order, now):
        order.reply_text = text_param(reply, "reply", required=True, limit=MAX_CONTENT)
        order.replied_at = now
        order.direct_answer = True
        mark_completed(order, now)
        return Outcome(S.COMPLETED, opinion=order.reply_text)

    return run_action(order_id, "answer_directly", actor, at, apply)


def transfer(order_id: int, actor, *, department, opinion: str = "", at: datetime | None = None) -> WorkOrder:
    """转办: to a handling department as a work order; its handlers are notified."""

    def apply(order, now):
        target = department_param(department)
        order.department = target
        order.transferred_at = now
        order.signed_at = None
        outcome = Outcome(S.TRANSFERRED, {"department": target.pk}, opinion=text_param(opinion, "opinion"))
        notify_later(
            outcome,
            department_handlers(target.pk),
            "workorder_transferred",
            _("New hotline order %(no)s transferred to your department"),
            f"wo-transfer:{order.pk}:{int(now.timestamp())}",
            no=str(order),
            order_id=order.pk,
        )
        return outcome

    return run_action(order_id, "transfer", actor, at, apply)


def convert(
    order_id: int,
    actor,
    *,
    class_code: str,
    lng=None,
    lat=None,
    condition_id=None,
    opinion: str = "",
    at: datetime | None = None,
) -> WorkOrder:
    """转案件: the order becomes a city-management case (source 12345/12319, ``hotline_ref`` the order), linked
    both ways (``order.case`` and ``case.hotline_orders``). The order completes when the case closes."""
    from cases.exceptions import ActionForbidden
    from cases.services import report_case

    def apply(order, now):
        x = lng if lng not in (None, "") else (order.location.x if order.location else None)
        y = lat if lat not in (None, "") else (order.location.y if order.location else None)
        try:
            case, _created = report_case(
                reporter=actor,
                class_code=class_code,
                lat=y,
                lng=x,
                client_uuid=uuid.uuid5(CASE_UUID_NAMESPACE, f"workorder:{order.pk}:{order.send_back_count}"),
                condition_id=condition_id,
                address=order.address,
                description=order.content[:4000],
                source=order.hotline.case_source,
                urgency=order.urgency,
                hotline_ref=str(order),
                at=now,
            )
        except ActionForbidden as exc:
            raise OrderForbidden(str(exc)) from exc
        order.case = case
        order.transferred_at = now
        return Outcome(S.CONVERTED, {"case": case.pk, "case_no": case.case_no}, opinion=text_param(opinion, "opinion"))

    return run_action(order_id, "convert", actor, at, apply)


def visit(
    order_id: int, actor, *, satisfaction: str, opinion: str = "", redo: bool = True, at: datetime | None = None
) -> WorkOrder:
    """回访: the citizen's satisfaction. 满意/基本满意 → VISITED (to be completed); 不满意 → REDO (重办): back to the
    department with a fresh limit, counted as a redo — unless ``redo`` is false (the demand was reviewed and cannot
    be met, or there is no department to redo it): then VISITED, to be completed as unsatisfied."""

    def apply(order, now):
        value = parse_satisfaction(satisfaction)
        order.satisfaction = value
        order.visited_at = now
        note = text_param(opinion, "opinion")
        if value in SATISFIED or not flag_param(redo) or order.department_id is None:
            return Outcome(S.VISITED, {"satisfaction": value, "redo": False}, opinion=note)
        order.redo_count += 1
        order.signed_at = order.handled_at = None
        order.deadline = compute_deadline(now, order.order_type, order.urgency)
        outcome = Outcome(S.REDO, {"satisfaction": value, "redo": order.redo_count}, opinion=note)
        notify_later(
            outcome,
            department_handlers(order.department_id),
            "workorder_redo",
            _("Hotline order %(no)s must be redone: the caller was not satisfied"),
            f"wo-redo:{order.pk}:{order.redo_count}",
            no=str(order),
            order_id=order.pk,
        )
        return outcome

    return run_action(order_id, "visit", actor, at, apply)


def complete(order_id: int, actor, *, opinion: str = "", at: datetime | None = None) -> WorkOrder:
    """办结 after the reply (and the return visit)."""

    def apply(order, now):
        mark_completed(order, now)
        return Outcome(S.COMPLETED, {"on_time": order.completed_on_time}, opinion=text_param(opinion, "opinion"))

    return run_action(order_id, "complete", actor, at, apply)


def urge(order_id: int, actor, *, opinion: str = "", at: datetime | None = None) -> WorkOrder:
    """催办: a flag and a notice to the department the order is with."""

    def apply(order, now):
        order.is_urged = True
        order.urge_count += 1
        note = text_param(opinion, "opinion")
        outcome = Outcome(order.status, {"urge": order.urge_count}, opinion=note)
        if order.department_id:
            notify_later(
                outcome,
                department_handlers(order.department_id),
                "workorder_urged",
                _("Hotline order %(no)s is urged: %(opinion)s"),
                f"wo-urge:{order.pk}:{order.urge_count}",
                no=str(order),
                opinion=note or "-",
                order_id=order.pk,
            )
        return outcome

    return run_action(order_id, "urge", actor, at, apply)
