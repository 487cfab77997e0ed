"""Every workflow action on a case goes through ``perform``: the transition table (``cases.workflow``) says which
statuses an action may start from, which permission and scope it needs; the platform's runner (``core.workflow``)
checks them, locks the row, calls the action's handler here, writes one immutable event and queues the side effects
after commit.

Order of the checks, so the API's answers are stable: a case the user may not see → CaseNotFound (404); an action
their role lacks, or a case that is not theirs to act on → ActionForbidden (403); a status that does not allow the
action (or no pending request to decide) → ActionNotAllowed (409); bad parameters → ValidationError naming the field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.choices import PUBLIC_SOURCES, REVISITED_SOURCES, PhotoKind, RequestKind, RequestStatus, Satisfaction, Stage
from cases.choices import CaseStatus as S
from cases.deadlines import STATUS_STAGE, is_natural_time, on_time, stage_deadline
from cases.exceptions import ActionNotAllowed
from cases.models import Case, CasePhoto, CaseRequest
from cases.timeline import announcement
from cases.workflow import CASES, TRANSITIONS
from core.choices import Role, TimeUnit
from core.departments import department_subtree
from core.models import Department, User
from core.workflow import Outcome, Transition
from core.worktime import add_duration, working_minutes_between

# ---- Parameter helpers ---------------------------------------------------------------------------------------------


def text_param(params: dict, name: str, *, required: bool = False) -> str:
    value = str(params.get(name) or "").strip()
    if required and not value:
        raise ValidationError({name: _("This field is required.")})
    return value


def _user_with_role(params: dict, name: str, role: str) -> User:
    value = params.get(name)
    try:
        user = User.objects.get(pk=int(getattr(value, "pk", value)), is_active=True)
    except (TypeError, ValueError, User.DoesNotExist):
        raise ValidationError({name: _("No such active user.")}) from None
    if user.role != role:
        raise ValidationError({name: _("The user must have the role %(role)s.") % {"role": Role(role).label}})
    return user


def _bool(params: dict, name: str) -> bool:
    value = params.get(name)
    if isinstance(value, bool):
        return value
    if str(value).lower() in {"true", "1", "yes", "on"}:
        return True
    if str(value).lower() in {"false", "0", "no", "off"}:
        return False
    raise ValidationError({name: _("Must be true or false.")})


def _photos(case: Case, photo_ids) -> list[int]:
    """The attachments of this action: photos of this case, uploaded beforehand, not yet attached to an event."""
    if not photo_ids:
        return []
    try:
        wanted = sorted({int(pk) for pk in photo_ids})
    except (TypeError, ValueError):
        raise ValidationError({"photo_ids": _("A list of photo ids is required.")}) from None
    found = set(CasePhoto.objects.filter(case=case, pk__in=wanted, event__isnull=True).values_list("pk", flat=True))
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise ValidationError(
            {"photo_ids": _("Not photos of this case awaiting an action: %(ids)s.") % {"ids": missing}}
        )
    return wanted


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


def _start_stage(case: Case, now, *, new_disposal: bool) -> None:
    """After a transition: the current stage's clock. A new stage starts now; disposal runs on its bundled deadline
    from dispatch (or rework) through signing, requests, suspension and resumption."""
    stage = STATUS_STAGE.get(case.status)
    if stage is None:
        case.stage_started_at = case.stage_deadline = None
    elif stage == Stage.DISPOSE:
        case.stage_deadline = case.disposal_deadline
        if new_disposal or case.stage_started_at is None:
            case.stage_started_at = now
    else:
        case.stage_started_at = now
        case.stage_deadline = stage_deadline(stage, now, case=case)
    case.is_overdue = case.stage_deadline is not None and now > case.stage_deadline


def _notify_later(
    outcome: Outcome, case: Case, department_id: int | None, kind: str, message, key: str, permission="", **values
):
    """Notify the department's handlers (and/or the holders of *permission*) through the outbox: a rolled-back
    action tells nobody, a committed one tells them once even if the process dies right after the commit."""
    from cases.notifications import case_url
    from core.notifications import render

    text = render(message, case_no=case.case_no, **values)
    outcome.messages.append(
        (
            "cases.notifications.deliver",
            {"kind": kind, "message": text, "url": case_url(case.pk), "dedupe_key": key, "department": department_id}
            | ({"permission": permission} if permission else {}),
        )
    )


# ---- The actions ---------------------------------------------------------------------------------------------------


def _send_verify(case, actor, params, now) -> Outcome:
    case.assigned_collector = _user_with_role(params, "collector", Role.COLLECTOR)
    return Outcome(S.VERIFYING, {"collector": case.assigned_collector_id})


def _verify(case, actor, params, now) -> Outcome:
    case.verified = _bool(params, "verified") if "verified" in params else True
    case.verified_on_time = on_time(case.stage_deadline, now)
    return Outcome(S.REPORTED, {"verified": case.verified})


def _unverified_public_report(case: Case) -> bool:
    """Reports from the public (hotlines, online, chat groups, media) are verified on site before acceptance."""
    return case.source in PUBLIC_SOURCES and case.verified is not True


def _accept(case, actor, params, now) -> Outcome:
    if _unverified_public_report(case):
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
        _notify_later(outcome, case, None, "case_urgent", URGENT_MESSAGE, key, "cases.dispatch_case", condition=text)
    return outcome


URGENT_MESSAGE = _("Urgent case %(case_no)s registered (%(condition)s): dispatch it now")


def _refuse(case, actor, params, now) -> Outcome:
    text_param(params, "opinion", required=True)
    case.registered_on_time = on_time(case.stage_deadline, now)
    return Outcome(S.REFUSED)


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
    _notify_later(
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


def _send_check(case, actor, params, now) -> Outcome:
    case.assigned_collector = _user_with_role(params, "collector", Role.COLLECTOR)
    return Outcome(S.CHECKING, {"collector": case.assigned_collector_id})


def _check(case, actor, params, now) -> Outcome:
    passed = _bool(params, "passed")
    case.checked_on_time = on_time(case.stage_deadline, now)
    if passed:
        return Outcome(S.CHECKED, {"passed": True})
    # Rework (返工): back to the department, with a fresh disposal limit from now.
    text_param(params, "opinion", required=True)
    case.rework_count += 1
    case.disposed_at = None
    case.disposal_deadline = stage_deadline(Stage.DISPOSE, now, case=case)
    outcome = Outcome(S.DISPOSING, {"passed": False, "rework": case.rework_count})
    _notify_later(
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


def _urge(case, actor, params, now) -> Outcome:
    case.is_urged = True
    case.urge_count += 1
    outcome = Outcome(case.status, {"urge": case.urge_count})
    if text_param(params, "source"):  # who urges from outside the centre, e.g. an upper platform (exchange.networking)
        outcome.data["source"] = text_param(params, "source")
    _notify_later(
        outcome,
        case,
        case.department_id,
        "case_urged",
        _("Case %(case_no)s is urged: %(opinion)s"),
        f"urge:{case.pk}:{case.urge_count}",
        opinion=text_param(params, "opinion") or "-",
    )
    return outcome


HANDLERS: dict[str, Callable[..., Outcome]] = {
    "send_verify": _send_verify,
    "verify": _verify,
    "accept": _accept,
    "reject": _reject,
    "merge": _merge,
    "register": _register,
    "refuse": _refuse,
    "dispatch": _dispatch,
    "forward": _forward,
    "sign": _sign,
    "dispose": _dispose,
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
    "send_check": _send_check,
    "check": _check,
    "close": _close,
    "revisit": _revisit,
    "request_cancel": _request_cancel,
    "approve_cancel": _approve_cancel,
    "deny_cancel": _deny_cancel,
    "urge": _urge,
}
assert set(HANDLERS) == set(TRANSITIONS), "every action of the transition table has exactly one handler"


# ---- The entry point -----------------------------------------------------------------------------------------------


def may_act_on(case: Case, actor: User, action: str) -> bool:
    """Beyond the permission: the action's scope (departments act only on their own cases, collectors only on their
    own tasks). ``cases.history`` checks replayed steps with it."""
    return CASES.in_scope(case, actor, TRANSITIONS[action])


# Decisions need a pending request of their kind; a new request needs none pending.
_DECIDES = {
    f"{verb}_{kind}": kind
    for verb in ("approve", "deny")
    for kind in (RequestKind.RETURN, RequestKind.EXTENSION, RequestKind.SUSPENSION, RequestKind.CANCEL)
}
_REQUESTS = {f"request_{kind}": kind for kind in RequestKind}


def available_actions(case: Case, user: User) -> list[Transition]:
    """The actions this user may take on this case now (for the API's detail and the console's forms): the
    transition table's status and permission, the case being theirs, and the action's own precondition (a pending
    request to decide, none pending to ask again, a public report verified before acceptance). One query at most."""
    candidates = CASES.candidates(case, user)
    if any(t.action in _DECIDES or t.action in _REQUESTS for t in candidates):
        pending = set(case.requests.filter(status=RequestStatus.PENDING).values_list("kind", flat=True))
    else:
        pending = set()
    return [
        t
        for t in candidates
        if not (t.action in _DECIDES and _DECIDES[t.action] not in pending)
        and not (t.action in _REQUESTS and _REQUESTS[t.action] in pending)
        and not (t.action == "accept" and _unverified_public_report(case))
        and not (t.action == "forward" and not _has_sub_units(case))
        and not (t.action == "revisit" and case.source not in REVISITED_SOURCES)
    ]


def _has_sub_units(case: Case) -> bool:
    return case.department_id is not None and Department.objects.filter(parent_id=case.department_id).exists()


def apply_action(case: Case, action: str, actor: User, params: dict, now: datetime) -> tuple[str, Outcome]:
    """The action's own rule on a case its caller has already checked and locked: the handler decides, the status
    moves and the stage clock follows. Returns the status it left and the outcome (event data, side effects).

    ``perform`` uses it for every live action and ``cases.history`` for replaying past ones in bulk, so a replayed
    history is made by the very same rules."""
    if case.status not in TRANSITIONS[action].sources:
        raise ActionNotAllowed(action, case.status)
    from_status = case.status
    outcome = HANDLERS[action](case, actor, params, now)
    case.status = outcome.to_status
    if outcome.to_status != from_status or action == "approve_extension":
        _start_stage(case, now, new_disposal=action in {"dispatch", "check"})
    return from_status, outcome


def perform(
    case_id: int, action: str, actor: User, photo_ids: list[int] | None = None, at: datetime | None = None, **params
) -> Case:
    """Apply *action* to case *case_id* as *actor*; returns the updated case. See the module docstring.

    ``at`` replays an action at a past moment (imports of history, the demo city); it defaults to now."""
    CASES.transition(action)  # an unknown action is a 400 naming ``action``, before anything else
    attached: list[int] = []

    def handle(case: Case, now: datetime) -> Outcome:
        attached.extend(_photos(case, photo_ids))
        _from_status, outcome = apply_action(case, action, actor, {**params, "photo_ids": attached}, now)
        if attached:
            outcome.data["photos"] = attached
        outcome.opinion = text_param(params, "opinion")
        return outcome

    def after(case: Case, event, outcome: Outcome) -> None:
        if attached:
            CasePhoto.objects.filter(pk__in=attached).update(event=event)
        outcome.messages.extend(announcement(case.pk, event.pk))

    return CASES.run(case_id, action, actor, handle, at=at, after=after)
