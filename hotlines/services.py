"""State changes of hotline work orders: one service function per transition.

Every function runs through the platform's transition contract (``hotlines.workflow.ORDERS``, ``core.workflow``):
an order the user may not see → OrderNotFound (404); a role without the action's permission, or a department acting
on an order that is not with it → OrderForbidden (403); then the row is locked (``select_for_update``) and its
status re-checked → OrderActionNotAllowed (409); bad parameters → ValidationError naming the field (400). Each
writes one immutable ``WorkOrderEvent`` and its side effects (in-app notifications) as outbox rows in the same
transaction (``core.outbox``). ``at`` replays an action at a past moment (imports of history, the demo city); it
defaults to now.

Receiving an order (``receive``, idempotent on hotline and external number), its reference data and deadlines live
in ``hotlines.receiving`` and are re-exported here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.choices import TimeUnit
from core.workflow import Outcome, Transition
from core.worktime import add_duration
from hotlines.choices import SATISFIED, OrderStatus
from hotlines.exceptions import OrderActionNotAllowed, OrderForbidden
from hotlines.models import WorkOrder
from hotlines.receiving import (  # noqa: F401 (receiving and deadlines: re-exported, callers use these names here)
    DEFAULT_HOTLINES,
    DEFAULT_LIMITS,
    MAX_CONTENT,
    check_order_fields,
    compute_deadline,
    ensure_reference_data,
    limit_days,
    parse_order_type,
    parse_satisfaction,
    receive,
    send_back_deadline,
)
from hotlines.workflow import ORDERS, TRANSITIONS

S = OrderStatus
CASE_UUID_NAMESPACE = uuid.UUID("6c1f3a52-4f0e-4b8e-9a55-2a1f0c9e1234")  # converted orders → case client_uuid

MAX_EXTENSION_DAYS = Decimal(60)


# ---- Parameter helpers ----------------------------------------------------------------------------------------------


def _required() -> str:
    return _("This field is required.")


def _text(raw, name: str, *, required: bool = False, limit: int = 2000) -> str:
    """A text parameter, stripped; ValidationError naming *name* when required and empty, or too long."""
    value = str(raw or "").strip()
    if required and not value:
        raise ValidationError({name: _required()})
    if len(value) > limit:
        raise ValidationError({name: _("At most %(limit)d characters.") % {"limit": limit}})
    return value


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "on"}:
        return True
    if text in {"false", "0", "no", "off", ""}:
        return False
    raise ValidationError({"redo": _("Must be true or false.")})


def _department(value):
    from core.models import Department

    try:
        department = Department.objects.get(pk=int(getattr(value, "pk", value)))
    except (TypeError, ValueError, Department.DoesNotExist):
        raise ValidationError({"department": _("No such department.")}) from None
    if not department.is_active:
        raise ValidationError({"department": _("The department is not active.")})
    return department


# ---- The transition machinery ---------------------------------------------------------------------------------------


def _record(order: WorkOrder, action: str, actor, from_status: str, to_status: str, *, at, opinion="", data=None):
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


def _notify_later(outcome: Outcome, recipients: dict, kind: str, message, key: str, **values) -> None:
    """Notify *recipients* (``department`` and/or ``permission``) through the outbox: a rolled-back action tells
    nobody, a committed one tells them once even if the process dies right after the commit."""
    from core.notifications import render

    payload = {"kind": kind, "message": render(message, **values), "url": order_url(values["order_id"])}
    outcome.messages.append(("cases.notifications.deliver", {**payload, "dedupe_key": key, **recipients}))


def _department_handlers(department_id) -> dict:
    return {"department": department_id}


def _operators() -> dict:
    """The people who re-transfer a sent-back order: every active user whose role carries transfer_workorder."""
    return {"permission": "hotlines.transfer_workorder"}


def _run(
    order_id: int, action: str, actor, at: datetime | None, apply: Callable[[WorkOrder, datetime], Outcome]
) -> WorkOrder:
    return ORDERS.run(order_id, action, actor, apply, at=at)


def _complete(order: WorkOrder, now: datetime) -> None:
    order.completed_at = now
    order.completed_on_time = now <= order.deadline


# ---- One function per transition ------------------------------------------------------------------------------------


def answer_directly(order_id: int, actor, *, reply: str, at: datetime | None = None) -> WorkOrder:
    """直接办结: the operator answers on the spot; the order is replied and completed at once."""

    def apply(order, now):
        order.reply_text = _text(reply, "reply", required=True, limit=MAX_CONTENT)
        order.replied_at = now
        order.direct_answer = True
        _complete(order, now)
        return Outcome(S.COMPLETED, opinion=order.reply_text)

    return _run(order_id, "answer_directly", actor, at, apply)


def transfer(order_id: int, actor, *, department, opinion: str = "", at: datetime | None = None) -> WorkOrder:
    """转办: to a handling department as a work order; its handlers are notified."""

    def apply(order, now):
        target = _department(department)
        order.department = target
        order.transferred_at = now
        order.signed_at = None
        outcome = Outcome(S.TRANSFERRED, {"department": target.pk}, opinion=_text(opinion, "opinion"))
        _notify_later(
            outcome,
            _department_handlers(target.pk),
            "workorder_transferred",
            _("New hotline order %(no)s transferred to your department"),
            f"wo-transfer:{order.pk}:{int(now.timestamp())}",
            no=str(order),
            order_id=order.pk,
        )
        return outcome

    return _run(order_id, "transfer", actor, at, apply)


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
        return Outcome(S.CONVERTED, {"case": case.pk, "case_no": case.case_no}, opinion=_text(opinion, "opinion"))

    return _run(order_id, "convert", actor, at, apply)


def sign(order_id: int, actor, *, at: datetime | None = None) -> WorkOrder:
    """签收 by the department the order is with (also after a redo)."""

    def apply(order, now):
        order.signed_at = now
        return Outcome(S.HANDLING)

    return _run(order_id, "sign", actor, at, apply)


def handle(order_id: int, actor, *, opinion: str, at: datetime | None = None) -> WorkOrder:
    """办理: the department records what it did."""

    def apply(order, now):
        order.handled_at = now
        return Outcome(S.HANDLED, opinion=_text(opinion, "opinion", required=True))

    return _run(order_id, "handle", actor, at, apply)


def reply(order_id: int, actor, *, reply: str, at: datetime | None = None) -> WorkOrder:
    """答复: the department's answer to the citizen (pulled back by the 12345 platform)."""

    def apply(order, now):
        order.reply_text = _text(reply, "reply", required=True, limit=MAX_CONTENT)
        order.replied_at = now
        return Outcome(S.REPLIED, opinion=order.reply_text)

    return _run(order_id, "reply", actor, at, apply)


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
        note = _text(opinion, "opinion")
        if value in SATISFIED or not _flag(redo) or order.department_id is None:
            return Outcome(S.VISITED, {"satisfaction": value, "redo": False}, opinion=note)
        order.redo_count += 1
        order.signed_at = order.handled_at = None
        order.deadline = compute_deadline(now, order.order_type, order.urgency)
        outcome = Outcome(S.REDO, {"satisfaction": value, "redo": order.redo_count}, opinion=note)
        _notify_later(
            outcome,
            _department_handlers(order.department_id),
            "workorder_redo",
            _("Hotline order %(no)s must be redone: the caller was not satisfied"),
            f"wo-redo:{order.pk}:{order.redo_count}",
            no=str(order),
            order_id=order.pk,
        )
        return outcome

    return _run(order_id, "visit", actor, at, apply)


def complete(order_id: int, actor, *, opinion: str = "", at: datetime | None = None) -> WorkOrder:
    """办结 after the reply (and the return visit)."""

    def apply(order, now):
        _complete(order, now)
        return Outcome(S.COMPLETED, {"on_time": order.completed_on_time}, opinion=_text(opinion, "opinion"))

    return _run(order_id, "complete", actor, at, apply)


def send_back(order_id: int, actor, *, reason: str, at: datetime | None = None) -> WorkOrder:
    """退单: the department says the order is not theirs, with a reason, within the hotline's limit after transfer."""

    def apply(order, now):
        text = _text(reason, "reason", required=True)
        limit = send_back_deadline(order)
        if limit is not None and now > limit:
            raise OrderActionNotAllowed("send_back", order.status, _("The send-back limit has passed."))
        department_id = order.department_id
        order.department = None
        order.send_back_count += 1
        order.signed_at = None
        outcome = Outcome(S.SENT_BACK, {"department": department_id, "count": order.send_back_count}, opinion=text)
        _notify_later(
            outcome,
            _operators(),
            "workorder_sent_back",
            _("Hotline order %(no)s was sent back: %(reason)s"),
            f"wo-sendback:{order.pk}:{order.send_back_count}",
            no=str(order),
            reason=text[:100],
            order_id=order.pk,
        )
        return outcome

    return _run(order_id, "send_back", actor, at, apply)


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
        order.extension_request_reason = _text(reason, "reason", required=True)
        outcome = Outcome(order.status, {"days": str(value)}, opinion=order.extension_request_reason)
        _notify_later(
            outcome,
            _operators(),
            "workorder_extension_requested",
            _("Extension of hotline order %(no)s requested: %(days)s working days"),
            f"wo-extreq:{order.pk}:{order.extension_count}:{int(now.timestamp())}",
            no=str(order),
            days=str(value.normalize()),
            order_id=order.pk,
        )
        return outcome

    return _run(order_id, "request_extension", actor, at, apply)


def extend(order_id: int, actor, *, days=None, reason: str = "", at: datetime | None = None) -> WorkOrder:
    """延期: the centre moves the deadline by *days* working days — by default what the department's pending
    request asked for, which this approves; without a request a reason is required."""

    def apply(order, now):
        pending = order.extension_requested_days
        value = _days(days if days not in (None, "") else pending)
        text = _text(reason, "reason", required=pending is None)
        order.deadline = add_duration(max(order.deadline, now), float(value), TimeUnit.WORK_DAYS)
        order.extension_count += 1
        order.extension_requested_days = None
        order.extension_request_reason = ""
        data = {"days": str(value), "deadline": order.deadline.isoformat(), "requested": str(pending or "")}
        return Outcome(order.status, data, opinion=text)

    return _run(order_id, "extend", actor, at, apply)


def deny_extension(order_id: int, actor, *, reason: str, at: datetime | None = None) -> WorkOrder:
    """不同意延期: the pending request is refused; the deadline stays."""

    def apply(order, now):
        if order.extension_requested_days is None:
            raise OrderActionNotAllowed("deny_extension", order.status, _("No extension request is pending."))
        text = _text(reason, "reason", required=True)
        data = {"days": str(order.extension_requested_days)}
        order.extension_requested_days = None
        order.extension_request_reason = ""
        return Outcome(order.status, data, opinion=text)

    return _run(order_id, "deny_extension", actor, at, apply)


def urge(order_id: int, actor, *, opinion: str = "", at: datetime | None = None) -> WorkOrder:
    """催办: a flag and a notice to the department the order is with."""

    def apply(order, now):
        order.is_urged = True
        order.urge_count += 1
        note = _text(opinion, "opinion")
        outcome = Outcome(order.status, {"urge": order.urge_count}, opinion=note)
        if order.department_id:
            _notify_later(
                outcome,
                _department_handlers(order.department_id),
                "workorder_urged",
                _("Hotline order %(no)s is urged: %(opinion)s"),
                f"wo-urge:{order.pk}:{order.urge_count}",
                no=str(order),
                opinion=note or "-",
                order_id=order.pk,
            )
        return outcome

    return _run(order_id, "urge", actor, at, apply)


SERVICES: dict[str, Callable[..., WorkOrder]] = {
    "answer_directly": answer_directly,
    "transfer": transfer,
    "convert": convert,
    "sign": sign,
    "handle": handle,
    "reply": reply,
    "visit": visit,
    "complete": complete,
    "send_back": send_back,
    "request_extension": request_extension,
    "extend": extend,
    "deny_extension": deny_extension,
    "urge": urge,
}
assert set(SERVICES) == set(TRANSITIONS), "every action of the transition table has exactly one service"


def perform(order_id: int, action: str, actor, **params) -> WorkOrder:
    """Dispatch an action by name (the API and the console); unknown parameters are ignored."""
    import inspect

    service = SERVICES.get(action)
    if service is None:
        raise ValidationError({"action": _("Unknown action %(action)s.") % {"action": action}})
    accepted = inspect.signature(service).parameters
    return service(order_id, actor, **{k: v for k, v in params.items() if k in accepted and k not in {"order_id"}})


# ---- The linked case ------------------------------------------------------------------------------------------------


def on_case_transition(case_id: int, event_id: int) -> None:
    """Listener registered with ``cases.timeline.after_transition``: a converted order completes when its case
    closes; follows its case when that is merged into another (completing at once if the other is closed); and
    returns to the operators (RECEIVED) when the case ends otherwise (rejected, refused, cancelled)."""
    from cases.choices import TERMINAL_STATUSES, CaseStatus
    from cases.models import Case, CaseEvent

    event = CaseEvent.objects.filter(pk=event_id).only("to_status", "at").first()
    if event is None or event.to_status not in TERMINAL_STATUSES:
        return
    outcome = "closed" if event.to_status == CaseStatus.CLOSED else "ended"
    target = None
    if event.to_status == CaseStatus.MERGED:
        target = Case.objects.filter(pk=case_id).values_list("merged_into_id", flat=True).first()
        if target is not None:
            outcome = "merged"
    for order_id in WorkOrder.objects.filter(case_id=case_id, status=S.CONVERTED).values_list("pk", flat=True):
        case_ended(order_id, outcome=outcome, case_event=event_id, at=event.at, merged_into=target)


def case_ended(
    order_id: int, *, outcome: str, case_event: int, at: datetime, merged_into: int | None = None
) -> WorkOrder | None:
    """The system's transition of a converted order whose case ended (no user: the event's actor is empty).
    *outcome*: ``closed`` (the order completes), ``merged`` (it follows the original case) or ``ended``."""
    from cases.choices import CaseStatus
    from cases.models import Case

    with transaction.atomic():
        order = WorkOrder.objects.select_for_update().get(pk=order_id)
        if order.status != S.CONVERTED:
            return None
        data = {"case": order.case_id, "case_event": case_event}
        if outcome == "merged":
            original = Case.objects.get(pk=merged_into)
            order.case = original
            data["merged_into"] = original.pk
            if original.status == CaseStatus.CLOSED:  # the original closed already: nothing left to wait for
                outcome, at = "closed", max(at, original.closed_at or at)
        if outcome == "closed":
            case_no = Case.objects.filter(pk=order.case_id).values_list("case_no", flat=True).first()
            order.reply_text = order.reply_text or _("Handled as city-management case %(no)s, now closed.") % {
                "no": case_no
            }
            order.replied_at = order.replied_at or at
            _complete(order, at)
            action, to_status = "case_closed", S.COMPLETED
        elif outcome == "merged":
            action, to_status = "case_merged", S.CONVERTED
        else:
            action, to_status = "case_ended", S.RECEIVED
            order.case = None
            order.transferred_at = None
        order.status = to_status
        order.save()
        _record(order, action, None, S.CONVERTED, to_status, at=at, data=data)
    return order
