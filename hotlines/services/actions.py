"""Every work-order action by name (``SERVICES``), for the API and the console: ``perform``."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hotlines.models import WorkOrder
from hotlines.services.desk import answer_directly, complete, convert, transfer, urge, visit
from hotlines.services.extensions import deny_extension, extend, request_extension
from hotlines.services.handling import handle, reply, send_back, sign
from hotlines.workflow import TRANSITIONS

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
