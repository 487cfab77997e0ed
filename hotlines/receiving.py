"""Receiving (受理) hotline work orders — the 12345 platform's push, an Excel row, the 12319 entry form — and the
reference data and deadlines they are received with. ``receive`` is idempotent on (hotline, external number): a
repeated push returns the order already made. The transitions that follow are ``hotlines.services``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import TimeUnit
from core.sanitize import bad_text_message, parse_client_time
from core.workflow import may
from core.worktime import add_duration
from grids.choices import Urgency
from hotlines.choices import ORDER_TYPE_NAMES, SATISFACTION_NAMES, OrderType, Satisfaction
from hotlines.exceptions import OrderForbidden
from hotlines.models import Hotline, OrderTimeLimit, WorkOrder
from hotlines.workflow import ORDERS

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


# ---- Fields ---------------------------------------------------------------------------------------------------------


def _required() -> str:
    return _("This field is required.")


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


def receive(*, actor, at: datetime | None = None, **data) -> tuple[WorkOrder, bool]:
    """Receive (受理) an order from a hotline: the 12345 platform's push, an Excel row or the 12319 entry form.

    Returns (order, created); a (hotline, external number) already known returns the existing order untouched,
    also when two pushes race (the unique constraint decides)."""
    if not may(actor, "hotlines.receive_workorder"):
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
            ORDERS.record_event(
                order, "receive", actor, "", order.status, at=received_at, data={"hotline": hotline.code}
            )
    except IntegrityError:
        existing = WorkOrder.objects.filter(hotline=hotline, external_no=cleaned["external_no"]).first()
        if existing is None:
            raise
        return existing, False
    return order, True
