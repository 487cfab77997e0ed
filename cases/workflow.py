"""The transition table of the case workflow: the one place that says who may do what from which status.

Each row (``core.workflow.Transition``): action → statuses it may start from, status it leads to, permission needed,
its label (the trade's own words: English msgids, the Chinese in the translation catalogue), its scope. ``None`` as
the target means "decided by the handler" (a check that fails goes back to the department; a denied return goes
back to where the case was). ``cases.services.transitions`` runs actions through ``CASES`` (``core.workflow``);
the API and console list the actions a user can take from here, so they cannot disagree.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy, pgettext_lazy

from cases.choices import TERMINAL_STATUSES
from cases.choices import CaseStatus as S
from cases.exceptions import ActionForbidden, ActionNotAllowed, CaseNotFound
from core.workflow import Transition, Workflow, table

OPEN = frozenset(set(S) - TERMINAL_STATUSES)


def _t(action: str, sources, target, permission: str, label: str, scope: str | None = None) -> Transition:
    return Transition(action, frozenset(sources), target, f"cases.{permission}", label, scope)


def _(label: str):
    return pgettext_lazy("case action", label)


# Scopes: actions of people outside the centre's own staff are further limited to their own cases. ``department``:
# a department handler acts only on cases with their department (or its sub-units); ``collector``: a collector only
# on tasks assigned to them.
DEPT, TASK = "department", "collector"

TRANSITIONS: dict[str, Transition] = table(
    # Intake
    _t("send_verify", {S.REPORTED}, S.VERIFYING, "accept_case", _("Send for verification")),  # 派核实
    _t("verify", {S.VERIFYING}, S.REPORTED, "verify_case", _("Verify"), TASK),  # 核实
    _t("accept", {S.REPORTED}, S.ACCEPTED, "accept_case", _("Accept")),  # 受理
    _t("reject", {S.REPORTED, S.VERIFYING}, S.REJECTED, "accept_case", _("Reject")),  # 不予受理
    _t("merge", {S.REPORTED, S.VERIFYING, S.ACCEPTED}, S.MERGED, "accept_case", _("Merge duplicate")),  # 合并重复案件
    # Registration and dispatch
    _t("register", {S.ACCEPTED}, S.REGISTERED, "register_case", _("Register")),  # 立案
    _t("refuse", {S.ACCEPTED}, S.REFUSED, "register_case", _("Refuse registration")),  # 不予立案
    _t("dispatch", {S.REGISTERED}, S.DISPATCHED, "dispatch_case", _("Dispatch")),  # 派遣
    # Disposal by the department
    # 二级派遣: a first-level department passes the case on to one of its sub-units (the disposal deadline stays)
    _t("forward", {S.DISPATCHED, S.DISPOSING}, S.DISPATCHED, "dispose_case", _("Forward to a sub-unit"), DEPT),
    _t("sign", {S.DISPATCHED}, S.DISPOSING, "dispose_case", _("Sign for"), DEPT),  # 签收
    _t("dispose", {S.DISPOSING}, S.DISPOSED, "dispose_case", _("Report disposal"), DEPT),  # 处置反馈
    _t(
        "request_return", {S.DISPATCHED, S.DISPOSING}, S.RETURN_REQUESTED, "dispose_case", _("Request return"), DEPT
    ),  # 申请回退
    _t("approve_return", {S.RETURN_REQUESTED}, S.REGISTERED, "dispatch_case", _("Approve return")),  # 同意回退
    _t("deny_return", {S.RETURN_REQUESTED}, None, "dispatch_case", _("Deny return")),  # 不同意回退
    _t(
        "request_extension", {S.DISPATCHED, S.DISPOSING}, None, "dispose_case", _("Request extension"), DEPT
    ),  # 申请延期
    _t("approve_extension", {S.DISPATCHED, S.DISPOSING}, None, "dispatch_case", _("Approve extension")),  # 同意延期
    _t("deny_extension", {S.DISPATCHED, S.DISPOSING}, None, "dispatch_case", _("Deny extension")),  # 不同意延期
    _t(
        "request_suspension", {S.DISPATCHED, S.DISPOSING}, None, "dispose_case", _("Request suspension"), DEPT
    ),  # 申请挂账
    _t(
        "approve_suspension", {S.DISPATCHED, S.DISPOSING}, S.SUSPENDED, "dispatch_case", _("Approve suspension")
    ),  # 同意挂账
    _t("deny_suspension", {S.DISPATCHED, S.DISPOSING}, None, "dispatch_case", _("Deny suspension")),  # 不同意挂账
    _t("resume", {S.SUSPENDED}, None, "dispatch_case", _("Resume disposal")),  # 恢复处置: back to where it was
    # Check and closure
    _t("send_check", {S.DISPOSED}, S.CHECKING, "accept_case", _("Send for check")),  # 派核查
    _t("check", {S.CHECKING}, None, "verify_case", _("Check"), TASK),  # 核查: passed → CHECKED, failed → rework
    _t("close", {S.CHECKED, S.SELF_DISPOSED}, S.CLOSED, "register_case", _("Close")),  # 结案
    # 回访: the reporter's satisfaction on a closed case; 不满意 reopens it for the centre's check (→ DISPOSED)
    _t("revisit", {S.CLOSED}, None, "accept_case", _("Return visit")),  # 回访
    # Any open stage
    _t("request_cancel", OPEN, None, "accept_case", _("Request cancellation")),  # 申请作废
    _t("approve_cancel", OPEN, S.CANCELLED, "approve_cancel_case", _("Approve cancellation")),  # 同意作废
    _t("deny_cancel", OPEN, None, "approve_cancel_case", _("Deny cancellation")),  # 不同意作废
    _t("urge", OPEN, None, "urge_case", _("Urge")),  # 督办
)

DEPARTMENT_ACTIONS = frozenset(t.action for t in TRANSITIONS.values() if t.scope == DEPT)
COLLECTOR_TASK_ACTIONS = frozenset(t.action for t in TRANSITIONS.values() if t.scope == TASK)


def _with_department(case, actor) -> bool:
    from core.departments import department_subtree

    return actor.department_id is not None and case.department_id in department_subtree(actor.department)


def _assigned_to(case, actor) -> bool:
    return case.assigned_collector_id == actor.pk


def _visible(actor):
    from cases.models import Case

    return Case.objects.visible_to(actor)


def _record(case, action, actor, from_status, to_status, *, at, opinion="", data=None):
    from cases.timeline import record_event

    return record_event(case, action, actor, from_status, to_status, opinion=opinion, data=data, at=at)


CASES = Workflow(
    name="case",
    model="cases.Case",
    transitions=TRANSITIONS,
    states=S,
    conflict_message=gettext_lazy("%(action)s is not allowed while the case is “%(label)s”."),
    not_visible=CaseNotFound,
    forbidden=ActionForbidden,
    not_allowed=ActionNotAllowed,
    visible=_visible,
    scopes={DEPT: _with_department, TASK: _assigned_to},
    record=_record,
    labels={"report": gettext_lazy("Report")},  # the event that creates a case (intake), not an action
)


def transition(action: str) -> Transition:
    try:
        return TRANSITIONS[action]
    except KeyError:
        raise KeyError(f"unknown case action {action!r}") from None
