"""Extensions of an order's deadline (延期): the department asks, the centre grants or denies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.choices import TimeUnit
from core.workflow import Outcome
from core.worktime import add_duration
from hotlines.exceptions import OrderActionNotAllowed
from hotlines.models import WorkOrder
from hotlines.services.params import text_param
from hotlines.services.runner import (
    notify_later,
    operators,
    run_action,
)

MAX_EXTENSION_DAYS = Decimal(60)


def _days(days) -> Decimal:
    try:
        value = Decimal(str(days))
    except (InvalidOperation, TypeError):
        raise ValidationError({"days": _("A positive number is required.")}) from None
    if not value.is_finite() or value <= 0 or value > MAX_EXTENSION_DAYS:
        raise ValidationError({"days": _("A positive number is required.")})
    return value


def request_extension(order_id: int, actor, *, days, reason: str, at: datetime | None = None) -> WorkOrder:
    """申请延期: the department asks the centre for *days* more working days; one request pending at a time."""

    def apply(order, now):
        if order.extension_requested_days is not None:
            pending = _("An extension request is already pending.")
            raise OrderActionNotAllowed("request_extension", order.status, pending)
        value = _days(days)
        order.extension_requested_days = value
        order.extension_request_reason = text_param(reason, "reason", required=True)
        outcome = Outcome(order.status, {"days": str(value)}, opinion=order.extension_request_reason)
        notify_later(
            outcome,
            operators(),
            "workorder_extension_requested",
            _("Extension of hotline order %(no)s requested: %(days)s working days"),
            f"wo-extreq:{order.pk}:{order.extension_count}:{int(now.timestamp())}",
            no=str(order),
            days=str(value.normalize()),
            order_id=order.pk,
        )
        return outcome

    return run_action(order_id, "request_extension", actor, at, apply)


def extend(order_id: int, actor, *, days=None, reason: str = "", at: datetime | None = None) -> WorkOrder:
    """延期: the centre moves the deadline by *days* working days — by default what the department's pending
    request asked for, which this approves; without a request a reason is required."""

    def apply(order, now):
        pending = order.extension_requested_days
        value = _days(days if days not in (None, "") else pending)
        text = text_param(reason, "reason", required=pending is None)
        order.deadline = add_duration(max(order.deadline, now), float(value), TimeUnit.WORK_DAYS)
        order.extension_count += 1
        order.extension_requested_days = None
        order.extension_request_reason = ""
        data = {"days": str(value), "deadline": order.deadline.isoformat(), "requested": str(pending or "")}
        return Outcome(order.status, data, opinion=text)

    return run_action(order_id, "extend", actor, at, apply)


def deny_extension(order_id: int, actor, *, reason: str, at: datetime | None = None) -> WorkOrder:
    """不同意延期: the pending request is refused; the deadline stays."""

    def apply(order, now):
        if order.extension_requested_days is None:
            raise OrderActionNotAllowed("deny_extension", order.status, _("No extension request is pending."))
        text = text_param(reason, "reason", required=True)
        data = {"days": str(order.extension_requested_days)}
        order.extension_requested_days = None
        order.extension_request_reason = ""
        return Outcome(order.status, data, opinion=text)

    return run_action(order_id, "deny_extension", actor, at, apply)
