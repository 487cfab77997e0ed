"""State changes of hotline work orders: one service function per transition; callers import from here.

Every function runs through the platform's transition contract (``hotlines.workflow.ORDERS``, ``core.workflow``):
an order the user may not see → OrderNotFound (404); a role without the action's permission, or a department acting
on an order that is not with it → OrderForbidden (403); then the row is locked (``select_for_update``) and its
status re-checked → OrderActionNotAllowed (409); bad parameters → ValidationError naming the field (400). Each
writes one immutable ``WorkOrderEvent`` and its side effects (in-app notifications) as outbox rows in the same
transaction (``core.outbox``). ``at`` replays an action at a past moment (imports of history, the demo city); it
defaults to now.

The modules: ``desk`` (the centre's actions: 直接办结, 转办, 转案件, 回访, 办结, 催办), ``handling`` (the
department's: 签收, 处理, 答复, 退回), ``extensions`` (延期), ``actions`` (every action by name: ``SERVICES``,
``perform``), ``linked_case`` (a converted order following its case), ``runner`` and ``params`` (what the actions
share). Receiving an order (``receive``, idempotent on hotline and external number), its reference data and
deadlines live in ``hotlines.receiving`` and are re-exported here.
"""

from hotlines.receiving import (
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
from hotlines.services.actions import SERVICES, perform
from hotlines.services.desk import CASE_UUID_NAMESPACE, answer_directly, complete, convert, transfer, urge, visit
from hotlines.services.extensions import MAX_EXTENSION_DAYS, deny_extension, extend, request_extension
from hotlines.services.handling import handle, reply, send_back, sign
from hotlines.services.linked_case import case_ended, on_case_transition
from hotlines.services.runner import available_actions, may_take, order_url

__all__ = [
    "CASE_UUID_NAMESPACE",
    "DEFAULT_HOTLINES",
    "DEFAULT_LIMITS",
    "MAX_CONTENT",
    "MAX_EXTENSION_DAYS",
    "SERVICES",
    "answer_directly",
    "available_actions",
    "case_ended",
    "check_order_fields",
    "complete",
    "compute_deadline",
    "convert",
    "deny_extension",
    "ensure_reference_data",
    "extend",
    "handle",
    "limit_days",
    "may_take",
    "on_case_transition",
    "order_url",
    "parse_order_type",
    "parse_satisfaction",
    "perform",
    "receive",
    "reply",
    "request_extension",
    "send_back",
    "send_back_deadline",
    "sign",
    "transfer",
    "urge",
    "visit",
]
