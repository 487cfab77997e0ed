"""核查, 结案 and 回访: from a disposed case to its closure (or rework, or a reopening after an unhappy return
visit)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.choices import REVISITED_SOURCES, Satisfaction, Stage
from cases.choices import CaseStatus as S
from cases.deadlines import on_time, stage_deadline
from cases.exceptions import ActionNotAllowed
from cases.services.transitions.notices import notify_later
from cases.services.transitions.params import bool_param, text_param, user_with_role
from core.choices import Role
from core.workflow import Outcome


def _send_check(case, actor, params, now) -> Outcome:
    case.assigned_collector = user_with_role(params, "collector", Role.COLLECTOR)
    return Outcome(S.CHECKING, {"collector": case.assigned_collector_id})


def _check(case, actor, params, now) -> Outcome:
    passed = bool_param(params, "passed")
    case.checked_on_time = on_time(case.stage_deadline, now)
    if passed:
        return Outcome(S.CHECKED, {"passed": True})
    # Rework (返工): back to the department, with a fresh disposal limit from now.
    text_param(params, "opinion", required=True)
    case.rework_count += 1
    case.disposed_at = None
    case.disposal_deadline = stage_deadline(Stage.DISPOSE, now, case=case)
    outcome = Outcome(S.DISPOSING, {"passed": False, "rework": case.rework_count})
    notify_later(
        outcome,
        case,
        case.department_id,
        "case_rework",
        _("Case %(case_no)s failed the check and needs rework"),
        f"rework:{case.pk}:{case.rework_count}",
    )
    return outcome


def _close(case, actor, params, now) -> Outcome:
    case.closed_at = now
    case.closed_on_time = on_time(case.stage_deadline, now)
    return Outcome(S.CLOSED)


def _revisit(case, actor, params, now) -> Outcome:
    """回访: the reporter's answer is stored as a ``ReturnVisit``; 不满意 reopens the case as 待核查 (DISPOSED): the
    centre decides — send a collector to check (a failed check is rework for the department) or close it again."""
    from cases.models import ReturnVisit

    if case.source not in REVISITED_SOURCES:
        raise ActionNotAllowed("revisit", case.status, _("Only citizens' reports and online opinions are revisited."))
    satisfaction = text_param(params, "satisfaction", required=True)
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("One of %(choices)s.") % {"choices": ", ".join(Satisfaction.values)}})
    reopened = satisfaction == Satisfaction.UNSATISFIED
    ReturnVisit.objects.create(
        case=case,
        satisfaction=satisfaction,
        channel=str(params.get("channel") or "desk")[:20],
        opinion=text_param(params, "opinion")[:500],
        reopened=reopened,
        at=now,
    )
    data = {"satisfaction": satisfaction}
    if not reopened:
        return Outcome(case.status, data)
    case.closed_at = None
    case.closed_on_time = None
    return Outcome(S.DISPOSED, {**data, "reopened": True})


CLOSURE: dict[str, Callable[..., Outcome]] = {
    "send_check": _send_check,
    "check": _check,
    "close": _close,
    "revisit": _revisit,
}
