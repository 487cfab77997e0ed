"""The transition table of a work order: action → statuses it may start from, the permission it needs, its label,
its scope (``department``: only the department the order is with may take it).

``hotlines.services`` runs every action through ``ORDERS`` (``core.workflow``: visible, permission, lock, scope,
state, handler, event, side effects); the API and the console list the actions a user may take from here, so they
cannot disagree. The target status is decided by each service (a return visit leads to VISITED or REDO)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.workflow import Transition, Workflow, table
from hotlines.choices import OrderStatus as S
from hotlines.exceptions import OrderActionNotAllowed, OrderForbidden, OrderNotFound

OrderTransition = Transition  # the name the hotline layer used before the contract was shared
DEPT = "department"


def _t(action, sources, permission, label, *, department_action=False) -> Transition:
    return Transition(
        action, frozenset(sources), None, f"hotlines.{permission}", label, DEPT if department_action else None
    )


ACTIVE = {S.TRANSFERRED, S.HANDLING, S.HANDLED, S.REDO, S.CONVERTED, S.REPLIED}

TRANSITIONS: dict[str, Transition] = table(
    _t("answer_directly", {S.RECEIVED, S.SENT_BACK}, "receive_workorder", _("Answer directly")),  # 直接办结
    _t("transfer", {S.RECEIVED, S.SENT_BACK}, "transfer_workorder", _("Transfer")),  # 转办
    _t("convert", {S.RECEIVED, S.SENT_BACK}, "transfer_workorder", _("Convert to a case")),  # 转案件
    _t("sign", {S.TRANSFERRED, S.REDO}, "handle_workorder", _("Sign"), department_action=True),  # 签收
    _t("handle", {S.HANDLING}, "handle_workorder", _("Handle"), department_action=True),  # 办理
    _t("reply", {S.HANDLED}, "handle_workorder", _("Reply"), department_action=True),  # 答复
    _t("send_back", {S.TRANSFERRED, S.HANDLING}, "handle_workorder", _("Send back"), department_action=True),  # 退单
    _t("visit", {S.REPLIED}, "visit_workorder", _("Return visit")),  # 回访
    _t("complete", {S.VISITED, S.REPLIED}, "transfer_workorder", _("Complete")),  # 办结
    _t(
        "request_extension",
        {S.TRANSFERRED, S.HANDLING, S.HANDLED, S.REDO},
        "handle_workorder",
        _("Request an extension"),
        department_action=True,
    ),  # 申请延期
    _t("extend", {S.TRANSFERRED, S.HANDLING, S.HANDLED, S.REDO, S.CONVERTED}, "transfer_workorder", _("Extend")),
    _t("deny_extension", {S.TRANSFERRED, S.HANDLING, S.HANDLED, S.REDO}, "transfer_workorder", _("Deny extension")),
    _t("urge", ACTIVE, "urge_workorder", _("Urge")),  # 催办
)

# Timeline rows written by the system rather than by a person's action.
SYSTEM_LABELS = {
    "receive": _("Receive"),
    "case_closed": _("Case closed"),
    "case_ended": _("Case ended without closure"),
    "case_merged": _("Case merged into another"),
}


def _with_department(order, actor) -> bool:
    from core.departments import department_subtree

    return actor.department_id is not None and order.department_id in department_subtree(actor.department)


def _visible(actor):
    from hotlines.models import WorkOrder

    return WorkOrder.objects.visible_to(actor)


def _record(order, action, actor, from_status, to_status, *, at, opinion="", data=None):
    from hotlines.models import WorkOrderEvent

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


ORDERS = Workflow(
    name="order",
    model="hotlines.WorkOrder",
    transitions=TRANSITIONS,
    states=S,
    conflict_message=_("%(action)s is not allowed while the order is “%(label)s”."),
    not_visible=OrderNotFound,
    forbidden=OrderForbidden,
    not_allowed=OrderActionNotAllowed,
    visible=_visible,
    scopes={DEPT: _with_department},
    record=_record,
    scope_message="this order is not with your department to %(action)s",
    select_related=("hotline",),
    labels=SYSTEM_LABELS,
)


def label_of(action: str) -> str:
    return ORDERS.label(action)


# Actions that may be taken at any time: they do not make an order wait for this user.
OPTIONAL_ACTIONS = {"urge", "extend", "deny_extension", "request_extension"}


def waiting_for(user) -> Q:
    """The orders waiting for this user's role: the statuses of its required actions (transfers, signatures,
    replies, visits…), and the extension requests to decide."""
    statuses: set[str] = set()
    for rule in TRANSITIONS.values():
        if rule.action not in OPTIONAL_ACTIONS and user.has_perm(rule.permission):
            statuses |= rule.sources
    waiting = Q(status__in=sorted(statuses))
    if user.has_perm(TRANSITIONS["extend"].permission):
        waiting |= Q(extension_requested_days__isnull=False)
    return waiting
