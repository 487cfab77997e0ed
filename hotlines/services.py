"""State changes of hotline work orders: one service function per transition.

Every function follows the same discipline (the cases layer's): an order the user may not see → OrderNotFound
(404); a role without the action's permission, or a department acting on an order that is not with it →
OrderForbidden (403); then the row is locked (``select_for_update``) and its status re-checked → OrderActionNotAllowed
(409); bad parameters → ValidationError naming the field (400). Each writes one immutable ``WorkOrderEvent`` and
its side effects (in-app notifications) as outbox rows in the same transaction (``core.outbox``). ``at`` replays
an action at a past moment (imports of history, the demo city); it defaults to now.

``receive`` is idempotent on (hotline, external number): a repeated push returns the order already made.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import outbox
from core.choices import TimeUnit
from core.sanitize import bad_text_message, parse_client_time
from core.worktime import add_duration
from grids.choices import Urgency
from hotlines.choices import ORDER_TYPE_NAMES, SATISFACTION_NAMES, SATISFIED, OrderStatus, OrderType, Satisfaction
from hotlines.exceptions import OrderActionNotAllowed, OrderForbidden, OrderNotFound
from hotlines.models import Hotline, OrderTimeLimit, WorkOrder, WorkOrderEvent
from hotlines.workflow import TRANSITIONS, OrderTransition

S = OrderStatus
CASE_UUID_NAMESPACE = uuid.UUID("6c1f3a52-4f0e-4b8e-9a55-2a1f0c9e1234")  # converted orders → case client_uuid

# Defaults of the per-type limits in working days (admin-editable in OrderTimeLimit); 0 means the same day.
DEFAULT_LIMITS: dict[str, Decimal] = {
    OrderType.CONSULTATION: Decimal(3),
    OrderType.COMPLAINT: Decimal(15),
    OrderType.HELP: Decimal(5),
    OrderType.SUGGESTION: Decimal(5),
    OrderType.REPORT: Decimal(5),
    OrderType.THANKS: Decimal(5),
    OrderType.OTHER: Decimal(5),
}
DEFAULT_HOTLINES = [
    ("12345", "12345政务服务便民热线", "hotline_12345"),
    ("12319", "12319城建服务热线", "hotline_12319"),
]
MAX_EXTENSION_DAYS = Decimal(60)
MAX_CONTENT = 4000


def ensure_reference_data() -> None:
    """The two national hotlines and the default time limits, created when missing (admin edits survive)."""
    for code, name, source in DEFAULT_HOTLINES:
        Hotline.objects.get_or_create(code=code, defaults={"name": name, "case_source": source})
    for order_type, days in DEFAULT_LIMITS.items():
        OrderTimeLimit.objects.get_or_create(order_type=order_type, defaults={"working_days": days})


# ---- Deadlines ------------------------------------------------------------------------------------------------------


def _end_of_day(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    return timezone.make_aware(datetime.combine(local.date(), time(23, 59, 59)), local.tzinfo)


def limit_days(order_type: str) -> Decimal:
    row = OrderTimeLimit.objects.filter(order_type=order_type).values_list("working_days", flat=True).first()
    return row if row is not None else DEFAULT_LIMITS.get(order_type, Decimal(5))


def compute_deadline(received_at: datetime, order_type: str, urgency: str = Urgency.NORMAL) -> datetime:
    """The handling deadline: the type's limit in working days from receipt; urgent orders (and a limit of 0) the
    same day."""
    days = limit_days(order_type)
    if urgency == Urgency.URGENT or days <= 0:
        return _end_of_day(received_at)
    return add_duration(received_at, float(days), TimeUnit.WORK_DAYS)


def send_back_deadline(order: WorkOrder) -> datetime | None:
    if order.transferred_at is None:
        return None
    return add_duration(order.transferred_at, float(order.hotline.send_back_limit_days), TimeUnit.WORK_DAYS)


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


def parse_order_type(value) -> str:
    text = str(value or "").strip()
    if not text:
        return OrderType.OTHER
    if text in OrderType.values:
        return text
    if text in ORDER_TYPE_NAMES:
        return ORDER_TYPE_NAMES[text]
    raise ValidationError({"order_type": _("One of %(choices)s.") % {"choices": ", ".join(OrderType.values)}})


def parse_satisfaction(value) -> str:
    text = str(value or "").strip()
    if text in Satisfaction.values:
        return text
    if text in SATISFACTION_NAMES:
        return SATISFACTION_NAMES[text]
    raise ValidationError({"satisfaction": _("One of %(choices)s.") % {"choices": ", ".join(Satisfaction.values)}})


# ---- Receiving ------------------------------------------------------------------------------------------------------


def _hotline(value) -> Hotline:
    if isinstance(value, Hotline):
        return value
    hotline = Hotline.objects.filter(code=str(value or "").strip(), is_active=True).first()
    if hotline is None:
        raise ValidationError({"hotline": _("No such active hotline %(code)r.") % {"code": value}})
    return hotline


def _moment(value, name: str, now: datetime) -> datetime:
    if value in (None, ""):
        return now
    try:  # the platform-wide window for a client's time (core/sanitize.py)
        return parse_client_time(value, now=now)
    except ValueError as exc:
        raise ValidationError({name: str(exc)}) from exc


def check_order_fields(data: dict, now: datetime) -> dict:
    """Check the fields of an incoming order; the cleaned values, or ValidationError naming every bad field."""
    from django.contrib.gis.geos import Point

    from grids.spatial import InvalidCoordinates, validate_lng_lat

    errors: dict[str, str] = {}
    cleaned: dict = {}
    for name, value in data.items():  # text PostgreSQL cannot store (imports bypass the API's parsers)
        if isinstance(value, str) and (problem := bad_text_message(value)):
            errors[name] = problem

    def attempt(name: str, fn: Callable):
        try:
            return fn()
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors[key] = messages[0]
            return None

    cleaned["hotline"] = attempt("hotline", lambda: _hotline(data.get("hotline")))
    external_no = str(data.get("external_no") or "").strip()
    if not external_no:
        errors["external_no"] = _required()
    elif len(external_no) > 50:
        errors["external_no"] = _("At most %(limit)d characters.") % {"limit": 50}
    cleaned["external_no"] = external_no
    cleaned["received_at"] = attempt("received_at", lambda: _moment(data.get("received_at"), "received_at", now))
    cleaned["order_type"] = attempt("order_type", lambda: parse_order_type(data.get("order_type")))
    content = str(data.get("content") or "").strip()
    if not content:
        errors["content"] = _required()
    elif len(content) > MAX_CONTENT:
        errors["content"] = _("At most %(limit)d characters.") % {"limit": MAX_CONTENT}
    cleaned["content"] = content
    for name, limit in (("caller_name", 50), ("caller_phone", 30), ("address", 200)):
        value = str(data.get(name) or "").strip()
        if len(value) > limit:
            errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
        cleaned[name] = value
    phone = cleaned["caller_phone"]
    if phone and not all(ch.isdigit() or ch in "+- " for ch in phone):
        errors["caller_phone"] = _("Digits only.")
    urgency = str(data.get("urgency") or Urgency.NORMAL)
    if urgency not in Urgency.values:
        errors["urgency"] = _("One of %(choices)s.") % {"choices": ", ".join(Urgency.values)}
    cleaned["urgency"] = urgency
    lng, lat = data.get("lng"), data.get("lat")
    cleaned["location"] = None
    if lng not in (None, "") or lat not in (None, ""):
        try:
            x, y = validate_lng_lat(lng, lat)
        except InvalidCoordinates as exc:
            errors["lat" if str(exc).startswith("lat") else "lng"] = str(exc)
        else:
            cleaned["location"] = Point(x, y, srid=4326)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _snapshot(location, at: datetime) -> dict:
    """The unit grid the point lies in, when it lies in one (an order from outside the city keeps blank codes)."""
    from grids.spatial import OutsideManagedArea, locate_point

    if location is None:
        return {}
    try:
        place = locate_point(location.x, location.y, at if timezone.localdate(at) != timezone.localdate() else None)
    except OutsideManagedArea:
        return {}
    return {
        "grid_code": place.grid_code,
        "community_code": place.community_code,
        "street_code": place.street_code,
    }


def _may(actor, permission: str) -> bool:
    return actor is not None and actor.is_active and actor.has_perm(permission)


def receive(*, actor, at: datetime | None = None, **data) -> tuple[WorkOrder, bool]:
    """Receive (受理) an order from a hotline: the 12345 platform's push, an Excel row or the 12319 entry form.

    Returns (order, created); a (hotline, external number) already known returns the existing order untouched,
    also when two pushes race (the unique constraint decides)."""
    if not _may(actor, "hotlines.receive_workorder"):
        raise OrderForbidden("your role may not receive work orders")
    now = at or timezone.now()
    external_no = str(data.get("external_no") or "").strip()
    code = getattr(data.get("hotline"), "code", data.get("hotline"))
    existing = WorkOrder.objects.filter(hotline__code=str(code or "").strip(), external_no=external_no).first()
    if existing is not None and external_no:
        return existing, False
    cleaned = check_order_fields(data, now)
    hotline = cleaned["hotline"]
    received_at = cleaned["received_at"]
    try:
        with transaction.atomic():
            order = WorkOrder.objects.create(
                hotline=hotline,
                external_no=cleaned["external_no"],
                received_at=received_at,
                caller_name=cleaned["caller_name"],
                caller_phone=cleaned["caller_phone"],
                order_type=cleaned["order_type"],
                content=cleaned["content"],
                address=cleaned["address"],
                location=cleaned["location"],
                urgency=cleaned["urgency"],
                deadline=compute_deadline(received_at, cleaned["order_type"], cleaned["urgency"]),
                received_by=actor,
                **_snapshot(cleaned["location"], received_at),
            )
            _record(order, "receive", actor, "", order.status, at=received_at, data={"hotline": hotline.code})
    except IntegrityError:
        existing = WorkOrder.objects.filter(hotline=hotline, external_no=cleaned["external_no"]).first()
        if existing is None:
            raise
        return existing, False
    return order, True


# ---- The transition machinery ---------------------------------------------------------------------------------------


@dataclass
class Outcome:
    to_status: str
    data: dict = field(default_factory=dict)
    # Side effects as outbox messages (handler's dotted path, keyword arguments), written with the event.
    messages: list[tuple[str, dict]] = field(default_factory=list)
    opinion: str = ""


def _record(order: WorkOrder, action: str, actor, from_status: str, to_status: str, *, at, opinion="", data=None):
    return WorkOrderEvent.objects.create(
        order=order,
        action=action,
        actor=actor,
        role=(getattr(actor, "role", "") or "") if actor is not None else "system",
        from_status=from_status,
        to_status=to_status,
        at=at,
        opinion=opinion,
        data=data or {},
    )


def _with_department(order: WorkOrder, actor) -> bool:
    from core.departments import department_subtree

    if actor.is_superuser:
        return True
    return actor.department_id is not None and order.department_id in department_subtree(actor.department)


def may_take(order: WorkOrder, actor, rule: OrderTransition) -> bool:
    """The permission and, for department actions, the order being with the actor's department (status aside)."""
    if not _may(actor, rule.permission):
        return False
    return not rule.department_action or _with_department(order, actor)


def _precondition(order: WorkOrder, action: str) -> bool:
    """An action's own condition beyond the status (shown only when it can succeed)."""
    if action == "request_extension":
        return order.extension_requested_days is None
    if action == "deny_extension":
        return order.extension_requested_days is not None
    return True


def available_actions(order: WorkOrder, user) -> list[OrderTransition]:
    return [
        t
        for t in TRANSITIONS.values()
        if order.status in t.sources and may_take(order, user, t) and _precondition(order, t.action)
    ]


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
    rule = TRANSITIONS[action]
    if actor is None or not WorkOrder.objects.visible_to(actor).filter(pk=order_id).exists():
        raise OrderNotFound(order_id)
    if not _may(actor, rule.permission):
        raise OrderForbidden(f"your role may not {action}")
    with transaction.atomic():
        order = WorkOrder.objects.select_for_update().select_related("hotline").get(pk=order_id)
        if rule.department_action and not _with_department(order, actor):
            raise OrderForbidden(f"this order is not with your department to {action}")
        if order.status not in rule.sources:
            raise OrderActionNotAllowed(action, order.status)
        now = at or timezone.now()
        from_status = order.status
        outcome = apply(order, now)
        order.status = outcome.to_status
        order.save()
        _record(order, action, actor, from_status, order.status, at=now, opinion=outcome.opinion, data=outcome.data)
        outbox.enqueue_many(outcome.messages)
    return order


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
    """Listener registered with ``cases.events.after_transition``: a converted order completes when its case
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
