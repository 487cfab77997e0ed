"""The department requests and their decisions: return (退回), extension (延期), suspension (挂起) and resumption,
cancellation (作废)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.choices import CaseStatus as S
from cases.choices import RequestKind, RequestStatus
from cases.deadlines import is_natural_time
from cases.exceptions import ActionNotAllowed
from cases.models import Case, CaseRequest
from cases.services.transitions.params import text_param
from core.choices import TimeUnit
from core.models import User
from core.workflow import Outcome
from core.worktime import add_duration, working_minutes_between


def _pending(case: Case, kind: str, action: str) -> CaseRequest:
    request = case.requests.filter(kind=kind, status=RequestStatus.PENDING).first()
    if request is None:
        raise ActionNotAllowed(
            action, case.status, _("No %(kind)s request is pending.") % {"kind": RequestKind(kind).label}
        )
    return request


def _open_request(case: Case, kind: str, actor: User, params: dict, now: datetime, **extra) -> CaseRequest:
    if case.requests.filter(kind=kind, status=RequestStatus.PENDING).exists():
        reason = _("A %(kind)s request is already pending.") % {"kind": RequestKind(kind).label}
        raise ActionNotAllowed(f"request_{kind}", case.status, reason)
    return CaseRequest.objects.create(
        case=case,
        kind=kind,
        requested_by=actor,
        requested_at=now,
        reason=text_param(params, "reason", required=True),
        case_status=case.status,
        **extra,
    )


def _decide(request: CaseRequest, actor: User, approved: bool, params: dict, now: datetime) -> None:
    request.status = RequestStatus.APPROVED if approved else RequestStatus.DENIED
    request.decided_by = actor
    request.decided_at = now
    request.decision_opinion = text_param(params, "opinion")
    request.save()


def _request_return(case, actor, params, now) -> Outcome:
    request = _open_request(case, RequestKind.RETURN, actor, params, now)
    return Outcome(S.RETURN_REQUESTED, {"request": request.pk})


def _approve_return(case, actor, params, now) -> Outcome:
    request = _pending(case, RequestKind.RETURN, "approve_return")
    _decide(request, actor, True, params, now)
    case.return_count += 1
    case.department = None
    case.disposal_deadline = None
    return Outcome(S.REGISTERED, {"request": request.pk, "returned_by": request.requested_by_id})


def _deny_return(case, actor, params, now) -> Outcome:
    request = _pending(case, RequestKind.RETURN, "deny_return")
    _decide(request, actor, False, params, now)
    return Outcome(request.case_status, {"request": request.pk})


def _request_extension(case, actor, params, now) -> Outcome:
    try:
        value = Decimal(str(params.get("value")))
    except (InvalidOperation, TypeError):
        raise ValidationError({"value": _("A positive number is required.")}) from None
    if not value.is_finite() or value <= 0 or value > 1000:
        raise ValidationError({"value": _("A positive number is required.")})
    unit = str(params.get("unit") or TimeUnit.WORK_DAYS)
    if unit not in TimeUnit.values:
        raise ValidationError({"unit": _("One of %(units)s.") % {"units": ", ".join(TimeUnit.values)}})
    request = _open_request(case, RequestKind.EXTENSION, actor, params, now, extension_value=value, extension_unit=unit)
    return Outcome(case.status, {"request": request.pk, "value": str(value), "unit": unit})


def _approve_extension(case, actor, params, now) -> Outcome:
    request = _pending(case, RequestKind.EXTENSION, "approve_extension")
    _decide(request, actor, True, params, now)
    base = case.disposal_deadline or now
    case.disposal_deadline = add_duration(
        base, float(request.extension_value), request.extension_unit, round_the_clock=is_natural_time(case)
    )
    case.extension_count += 1
    return Outcome(case.status, {"request": request.pk, "deadline": case.disposal_deadline.isoformat()})


def _deny_extension(case, actor, params, now) -> Outcome:
    request = _pending(case, RequestKind.EXTENSION, "deny_extension")
    _decide(request, actor, False, params, now)
    return Outcome(case.status, {"request": request.pk})


def _request_suspension(case, actor, params, now) -> Outcome:
    request = _open_request(case, RequestKind.SUSPENSION, actor, params, now)
    return Outcome(case.status, {"request": request.pk})


def _approve_suspension(case, actor, params, now) -> Outcome:
    request = _pending(case, RequestKind.SUSPENSION, "approve_suspension")
    _decide(request, actor, True, params, now)
    if case.disposal_deadline is not None:
        case.disposal_minutes_left = working_minutes_between(
            now, case.disposal_deadline, round_the_clock=is_natural_time(case)
        )
    case.suspension_count += 1
    return Outcome(S.SUSPENDED, {"request": request.pk, "minutes_left": case.disposal_minutes_left})


def _deny_suspension(case, actor, params, now) -> Outcome:
    request = _pending(case, RequestKind.SUSPENSION, "deny_suspension")
    _decide(request, actor, False, params, now)
    return Outcome(case.status, {"request": request.pk})


def _resume(case, actor, params, now) -> Outcome:
    suspended = case.requests.filter(kind=RequestKind.SUSPENSION, status=RequestStatus.APPROVED).first()
    back_to = suspended.case_status if suspended else S.DISPOSING
    left = max(case.disposal_minutes_left or 0.0, 0.0)
    # The clock restarts with what was left: suspended time never counts against the department.
    case.disposal_deadline = add_duration(now, left, TimeUnit.WORK_MINUTES, round_the_clock=is_natural_time(case))
    case.disposal_minutes_left = None
    return Outcome(back_to, {"deadline": case.disposal_deadline.isoformat()})


def _request_cancel(case, actor, params, now) -> Outcome:
    request = _open_request(case, RequestKind.CANCEL, actor, params, now)
    return Outcome(case.status, {"request": request.pk})


def _approve_cancel(case, actor, params, now) -> Outcome:
    # Like every decision, a cancellation is approved only on a pending request: nobody cancels directly.
    request = _pending(case, RequestKind.CANCEL, "approve_cancel")
    _decide(request, actor, True, params, now)
    case.cancelled_at = now
    case.cancelled_in = case.status
    return Outcome(S.CANCELLED, {"request": request.pk, "cancelled_in": case.status})


def _deny_cancel(case, actor, params, now) -> Outcome:
    request = _pending(case, RequestKind.CANCEL, "deny_cancel")
    _decide(request, actor, False, params, now)
    return Outcome(case.status, {"request": request.pk})


REQUESTS: dict[str, Callable[..., Outcome]] = {
    "request_return": _request_return,
    "approve_return": _approve_return,
    "deny_return": _deny_return,
    "request_extension": _request_extension,
    "approve_extension": _approve_extension,
    "deny_extension": _deny_extension,
    "request_suspension": _request_suspension,
    "approve_suspension": _approve_suspension,
    "deny_suspension": _deny_suspension,
    "resume": _resume,
    "request_cancel": _request_cancel,
    "approve_cancel": _approve_cancel,
    "deny_cancel": _deny_cancel,
}
