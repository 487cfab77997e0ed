"""受理, 核实 and 立案: the actions from a report to a registered case (or its rejection, merge or refusal)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.choices import PUBLIC_SOURCES
from cases.choices import CaseStatus as S
from cases.deadlines import on_time
from cases.exceptions import ActionNotAllowed
from cases.models import Case
from cases.services.transitions.notices import notify_later
from cases.services.transitions.params import bool_param, text_param, user_with_role
from core.choices import Role
from core.workflow import Outcome


def _send_verify(case, actor, params, now) -> Outcome:
    case.assigned_collector = user_with_role(params, "collector", Role.COLLECTOR)
    return Outcome(S.VERIFYING, {"collector": case.assigned_collector_id})


def _verify(case, actor, params, now) -> Outcome:
    case.verified = bool_param(params, "verified") if "verified" in params else True
    case.verified_on_time = on_time(case.stage_deadline, now)
    return Outcome(S.REPORTED, {"verified": case.verified})


def unverified_public_report(case: Case) -> bool:
    """Reports from the public (hotlines, online, chat groups, media) are verified on site before acceptance."""
    return case.source in PUBLIC_SOURCES and case.verified is not True


def _accept(case, actor, params, now) -> Outcome:
    if unverified_public_report(case):
        raise ActionNotAllowed("accept", case.status, _("A public report must be verified on site first."))
    case.accepted_at = now
    case.accepted_on_time = on_time(case.stage_deadline, now)
    return Outcome(S.ACCEPTED)


def _reject(case, actor, params, now) -> Outcome:
    text_param(params, "opinion", required=True)
    case.accepted_on_time = on_time(case.stage_deadline, now)
    return Outcome(S.REJECTED)


def _merge(case, actor, params, now) -> Outcome:
    try:
        original = Case.objects.visible_to(actor).get(pk=int(params.get("original")))
    except (TypeError, ValueError, Case.DoesNotExist):
        raise ValidationError({"original": _("No such case.")}) from None
    if original.pk == case.pk or not original.is_open or original.merged_into_id:
        raise ValidationError({"original": _("The original must be another open case.")})
    if original.minor_class_id != case.minor_class_id:
        raise ValidationError({"original": _("The original must be of the same class.")})
    case.merged_into = original
    return Outcome(S.MERGED, {"original": original.pk, "original_no": original.case_no})


def _register(case, actor, params, now) -> Outcome:
    from cases.suggest import suggest
    from grids.models import FilingCondition

    try:
        condition = FilingCondition.objects.select_related("default_department").get(
            pk=int(params.get("condition") or case.condition_id or 0),
            minor_class_id=case.minor_class_id,
            is_active=True,
        )
    except (TypeError, ValueError, FilingCondition.DoesNotExist):
        raise ValidationError({"condition": _("Choose an active filing condition of the case's class.")}) from None
    case.condition = condition
    case.disposal_limit_value, case.disposal_limit_unit = condition.limit_value, condition.limit_unit
    case.urgency = condition.urgency
    case.registered_at = now
    case.registered_on_time = on_time(case.stage_deadline, now)
    suggested, rule = suggest(case)
    case.suggested_department = suggested
    outcome = Outcome(
        S.REGISTERED,
        {
            "condition": condition.pk,
            "suggested_department": getattr(suggested, "pk", None),
            "suggested_by": getattr(rule, "kind", None),
        },
    )
    if case.urgency == "urgent":  # 紧急案件: the dispatchers (and, by rule, the duty group's robot) hear at once
        key, text = f"urgent:{case.pk}", condition.description
        notify_later(outcome, case, None, "case_urgent", URGENT_MESSAGE, key, "cases.dispatch_case", condition=text)
    return outcome


URGENT_MESSAGE = _("Urgent case %(case_no)s registered (%(condition)s): dispatch it now")


def _refuse(case, actor, params, now) -> Outcome:
    text_param(params, "opinion", required=True)
    case.registered_on_time = on_time(case.stage_deadline, now)
    return Outcome(S.REFUSED)


ACCEPTANCE: dict[str, Callable[..., Outcome]] = {
    "send_verify": _send_verify,
    "verify": _verify,
    "accept": _accept,
    "reject": _reject,
    "merge": _merge,
    "register": _register,
    "refuse": _refuse,
}
