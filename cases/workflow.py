"""The transition table of the case workflow: the one place that says who may do what from which status.

Each row: action name → (statuses it may start from, status it leads to, permission needed). ``None`` as the target
means "decided by the service" (e.g. a check that fails goes back to the department; a denied return goes back to
where the case was). Services in ``cases.services`` look actions up here; the API and console list the actions a
user can take from here, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from cases.choices import TERMINAL_STATUSES
from cases.choices import CaseStatus as S

OPEN = frozenset(set(S) - TERMINAL_STATUSES)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None
    permission: str
    label: str  # Chinese label for buttons and timelines (the trade's own words)


def _t(action: str, sources, target, permission: str, label: str) -> Transition:
    return Transition(action, frozenset(sources), target, f"cases.{permission}", label)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        # Intake
        _t("send_verify", {S.REPORTED}, S.VERIFYING, "accept_case", "派核实"),
        _t("verify", {S.VERIFYING}, S.REPORTED, "verify_case", "核实"),
        _t("accept", {S.REPORTED}, S.ACCEPTED, "accept_case", "受理"),
        _t("reject", {S.REPORTED, S.VERIFYING}, S.REJECTED, "accept_case", "不予受理"),
        _t("merge", {S.REPORTED, S.VERIFYING, S.ACCEPTED}, S.MERGED, "accept_case", "合并重复案件"),
        # Registration and dispatch
        _t("register", {S.ACCEPTED}, S.REGISTERED, "register_case", "立案"),
        _t("refuse", {S.ACCEPTED}, S.REFUSED, "register_case", "不予立案"),
        _t("dispatch", {S.REGISTERED}, S.DISPATCHED, "dispatch_case", "派遣"),
        # Disposal by the department
        # 二级派遣: a first-level department passes the case on to one of its sub-units (the disposal deadline stays)
        _t("forward", {S.DISPATCHED, S.DISPOSING}, S.DISPATCHED, "dispose_case", "二级派遣"),
        _t("sign", {S.DISPATCHED}, S.DISPOSING, "dispose_case", "签收"),
        _t("dispose", {S.DISPOSING}, S.DISPOSED, "dispose_case", "处置反馈"),
        _t("request_return", {S.DISPATCHED, S.DISPOSING}, S.RETURN_REQUESTED, "dispose_case", "申请回退"),
        _t("approve_return", {S.RETURN_REQUESTED}, S.REGISTERED, "dispatch_case", "同意回退"),
        _t("deny_return", {S.RETURN_REQUESTED}, None, "dispatch_case", "不同意回退"),
        _t("request_extension", {S.DISPATCHED, S.DISPOSING}, None, "dispose_case", "申请延期"),
        _t("approve_extension", {S.DISPATCHED, S.DISPOSING}, None, "dispatch_case", "同意延期"),
        _t("deny_extension", {S.DISPATCHED, S.DISPOSING}, None, "dispatch_case", "不同意延期"),
        _t("request_suspension", {S.DISPATCHED, S.DISPOSING}, None, "dispose_case", "申请挂账"),
        _t("approve_suspension", {S.DISPATCHED, S.DISPOSING}, S.SUSPENDED, "dispatch_case", "同意挂账"),
        _t("deny_suspension", {S.DISPATCHED, S.DISPOSING}, None, "dispatch_case", "不同意挂账"),
        _t("resume", {S.SUSPENDED}, None, "dispatch_case", "恢复处置"),  # back to where it was suspended
        # Check and closure
        _t("send_check", {S.DISPOSED}, S.CHECKING, "accept_case", "派核查"),
        _t("check", {S.CHECKING}, None, "verify_case", "核查"),  # passed → CHECKED, failed → DISPOSING (rework)
        _t("close", {S.CHECKED, S.SELF_DISPOSED}, S.CLOSED, "register_case", "结案"),
        # 回访: the reporter's satisfaction on a closed case; 不满意 reopens it for the centre's check (→ DISPOSED)
        _t("revisit", {S.CLOSED}, None, "accept_case", "回访"),
        # Any open stage
        _t("request_cancel", OPEN, None, "accept_case", "申请作废"),
        _t("approve_cancel", OPEN, S.CANCELLED, "approve_cancel_case", "同意作废"),
        _t("deny_cancel", OPEN, None, "approve_cancel_case", "不同意作废"),
        _t("urge", OPEN, None, "urge_case", "督办"),
    ]
}

# Actions of people outside the centre's own staff are further limited to their own cases: a department handler
# acts only on cases dispatched to their department; a collector only on tasks assigned to them.
DEPARTMENT_ACTIONS = frozenset(
    {"forward", "sign", "dispose", "request_return", "request_extension", "request_suspension"}
)
COLLECTOR_TASK_ACTIONS = frozenset({"verify", "check"})


def transition(action: str) -> Transition:
    try:
        return TRANSITIONS[action]
    except KeyError:
        raise KeyError(f"unknown case action {action!r}") from None
