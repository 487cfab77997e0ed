"""派遣, 二级派遣, 处置 and 督办: the actions from a registered case to its disposal by a department."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.choices import CaseStatus as S
from cases.choices import PhotoKind, Stage
from cases.deadlines import on_time, stage_deadline
from cases.models import Case, CasePhoto
from cases.services.transitions.notices import notify_later
from cases.services.transitions.params import text_param
from core.departments import department_subtree
from core.models import Department
from core.workflow import Outcome


def _department(params: dict) -> Department:
    """The active department named by the ``department`` parameter (an id or a Department)."""
    try:
        department = Department.objects.get(pk=int(getattr(params.get("department"), "pk", params.get("department"))))
    except (TypeError, ValueError, Department.DoesNotExist):
        raise ValidationError({"department": _("No such department.")}) from None
    if not department.is_active:
        raise ValidationError({"department": _("The department is not active.")})
    return department


def _tell_department(outcome: Outcome, case: Case, department: Department, key: str) -> None:
    notify_later(
        outcome,
        case,
        department.pk,
        "case_dispatched",
        _("New case %(case_no)s dispatched to your department"),
        key,
    )


def _dispatch(case, actor, params, now) -> Outcome:
    department = _department(params)
    first = case.dispatched_at is None
    if first:
        case.dispatched_on_time = on_time(case.stage_deadline, now)
    case.dispatched_at = now
    case.department = department
    case.disposal_deadline = stage_deadline(Stage.DISPOSE, now, case=case)
    case.disposal_minutes_left = None
    outcome = Outcome(
        S.DISPATCHED,
        {"department": department.pk, "first": first, "as_suggested": department.pk == case.suggested_department_id},
    )
    _tell_department(outcome, case, department, f"dispatch:{case.pk}:{int(now.timestamp())}")
    return outcome


def _forward(case, actor, params, now) -> Outcome:
    """二级派遣: to a sub-unit of the department holding the case. The bundled disposal deadline does not restart:
    the sub-unit works against the limit the first dispatch set."""
    department = _department(params)
    if department.pk == case.department_id or department.pk not in department_subtree(case.department):
        raise ValidationError({"department": _("Not a sub-unit of the department holding the case.")})
    previous = case.department_id
    case.department = department
    outcome = Outcome(S.DISPATCHED, {"department": department.pk, "from_department": previous})
    _tell_department(outcome, case, department, f"forward:{case.pk}:{department.pk}:{int(now.timestamp())}")
    return outcome


def _sign(case, actor, params, now) -> Outcome:
    return Outcome(S.DISPOSING)


def _dispose(case, actor, params, now) -> Outcome:
    text_param(params, "opinion", required=True)
    if _after_photo_required(case) and not _has_after_photo(params):
        raise ValidationError({"photos": _("This filing condition requires a photo taken after disposal.")})
    case.disposed_at = now
    case.disposed_on_time = on_time(case.disposal_deadline, now)
    return Outcome(S.DISPOSED)


def _after_photo_required(case: Case) -> bool:
    from grids.models import FilingCondition

    if case.condition_id is None:
        return False
    return FilingCondition.objects.filter(pk=case.condition_id, requires_after_photo=True).exists()


def _has_after_photo(params: dict) -> bool:
    """``photo_ids`` are the action's attachments, already checked to be this case's (``perform`` puts them here)."""
    ids = params.get("photo_ids") or []
    return bool(ids) and CasePhoto.objects.filter(pk__in=ids, kind=PhotoKind.AFTER).exists()


def _urge(case, actor, params, now) -> Outcome:
    case.is_urged = True
    case.urge_count += 1
    outcome = Outcome(case.status, {"urge": case.urge_count})
    if text_param(params, "source"):  # who urges from outside the centre, e.g. an upper platform (exchange.networking)
        outcome.data["source"] = text_param(params, "source")
    notify_later(
        outcome,
        case,
        case.department_id,
        "case_urged",
        _("Case %(case_no)s is urged: %(opinion)s"),
        f"urge:{case.pk}:{case.urge_count}",
        opinion=text_param(params, "opinion") or "-",
    )
    return outcome


DISPOSAL: dict[str, Callable[..., Outcome]] = {
    "dispatch": _dispatch,
    "forward": _forward,
    "sign": _sign,
    "dispose": _dispose,
    "urge": _urge,
}
