"""The transition table of a work order: action → statuses it may start from, the permission it needs, its label.

``hotlines.services`` checks every action against this table; the API and the console list the actions a user may
take from here, so they cannot disagree. The target status is decided by each service (a return visit leads to
VISITED or REDO)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from hotlines.choices import OrderStatus as S


@dataclass(frozen=True)
class OrderTransition:
    action: str
    sources: frozenset[str]
    permission: str
    label: object  # lazily translated
    department_action: bool = False  # only the department the order is with may take it


def _t(action, sources, permission, label, *, department_action=False) -> OrderTransition:
    return OrderTransition(action, frozenset(sources), f"hotlines.{permission}", label, department_action)


ACTIVE = {S.TRANSFERRED, S.HANDLING, S.HANDLED, S.REDO, S.CONVERTED, S.REPLIED}

TRANSITIONS: dict[str, OrderTransition] = {
    t.action: t
    for t in [
        _t("answer_directly", {S.RECEIVED, S.SENT_BACK}, "receive_workorder", _("Answer directly")),  # 直接办结
        _t("transfer", {S.RECEIVED, S.SENT_BACK}, "transfer_workorder", _("Transfer")),  # 转办
        _t("convert", {S.RECEIVED, S.SENT_BACK}, "transfer_workorder", _("Convert to a case")),  # 转案件
        _t("sign", {S.TRANSFERRED, S.REDO}, "handle_workorder", _("Sign"), department_action=True),  # 签收
        _t("handle", {S.HANDLING}, "handle_workorder", _("Handle"), department_action=True),  # 办理
        _t("reply", {S.HANDLED}, "handle_workorder", _("Reply"), department_action=True),  # 答复
        _t(
            "send_back", {S.TRANSFERRED, S.HANDLING}, "handle_workorder", _("Send back"), department_action=True
        ),  # 退单
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
    ]
}

# Timeline rows written by the system rather than by a person's action.
SYSTEM_LABELS = {
    "receive": _("Receive"),
    "case_closed": _("Case closed"),
    "case_ended": _("Case ended without closure"),
    "case_merged": _("Case merged into another"),
}


def label_of(action: str) -> str:
    if action in TRANSITIONS:
        return str(TRANSITIONS[action].label)
    return str(SYSTEM_LABELS.get(action, action))
