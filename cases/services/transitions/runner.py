"""Every workflow action on a case goes through ``perform``: the transition table (``cases.workflow``) says which
statuses an action may start from, which permission and scope it needs; the platform's runner (``core.workflow``)
checks them, locks the row, calls the action's handler (``HANDLERS``, by stage group), writes one immutable event
and queues the side effects after commit.

Order of the checks, so the API's answers are stable: a case the user may not see → CaseNotFound (404); an action
their role lacks, or a case that is not theirs to act on → ActionForbidden (403); a status that does not allow the
action (or no pending request to decide) → ActionNotAllowed (409); bad parameters → ValidationError naming the field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cases.choices import ACTION_STAGE_ACTOR, REVISITED_SOURCES, RequestKind, RequestStatus, Stage
from cases.deadlines import STATUS_STAGE, stage_deadline
from cases.exceptions import ActionNotAllowed
from cases.models import Case, CasePhoto
from cases.services.transitions.acceptance import ACCEPTANCE, unverified_public_report
from cases.services.transitions.closure import CLOSURE
from cases.services.transitions.disposal import DISPOSAL
from cases.services.transitions.params import attached_photos, text_param
from cases.services.transitions.requests import REQUESTS
from cases.timeline import announcement
from cases.workflow import CASES, TRANSITIONS
from core.models import Department, User
from core.workflow import Outcome, Transition

HANDLERS: dict[str, Callable[..., Outcome]] = {**ACCEPTANCE, **DISPOSAL, **REQUESTS, **CLOSURE}
assert set(HANDLERS) == set(TRANSITIONS), "every action of the transition table has exactly one handler"


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
        and not (t.action == "accept" and unverified_public_report(case))
        and not (t.action == "forward" and not _has_sub_units(case))
        and not (t.action == "revisit" and case.source not in REVISITED_SOURCES)
    ]


def _has_sub_units(case: Case) -> bool:
    return case.department_id is not None and Department.objects.filter(parent_id=case.department_id).exists()


def apply_action(case: Case, action: str, actor: User, params: dict, now: datetime) -> tuple[str, Outcome]:
    """The action's own rule on a case its caller has already checked and locked: the handler decides, the status
    moves, the case keeps who handled the stage and the stage clock follows. Returns the status it left and the
    outcome (event data, side effects).

    ``perform`` uses it for every live action and ``cases.history`` for replaying past ones in bulk, so a replayed
    history is made by the very same rules."""
    if case.status not in TRANSITIONS[action].sources:
        raise ActionNotAllowed(action, case.status)
    from_status = case.status
    outcome = HANDLERS[action](case, actor, params, now)
    case.status = outcome.to_status
    if action in ACTION_STAGE_ACTOR:  # who handled this stage, as the timeline will say
        setattr(case, f"{ACTION_STAGE_ACTOR[action]}_id", getattr(actor, "pk", None))
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
        attached.extend(attached_photos(case, photo_ids))
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
