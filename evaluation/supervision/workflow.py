"""The workflow of the company's monthly assessment: a draft is recomputed from the platform and filled in by hand
as often as needed, then confirmed and frozen for good (``core.workflow``: permission 403, row lock, state 409
naming the state, the handler in ``evaluation.supervision.assessment``, one immutable ``AssessmentEvent``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workflow import Forbidden, NotAllowed, NotVisible, Transition, Workflow, role_of, table
from evaluation.supervision.models import AssessmentStatus

ASSESS_PERMISSION = "evaluation.assess_company"
DRAFT = frozenset({AssessmentStatus.DRAFT})


class AssessmentNotFound(NotVisible):
    workflow = "assessment"
    public_message = _("No such assessment.")


class AssessmentForbidden(Forbidden):
    workflow = "assessment"


class AssessmentStateError(NotAllowed):
    workflow = "assessment"


TRANSITIONS = table(
    Transition("recompute", DRAFT, None, ASSESS_PERMISSION, _("Recompute from the platform")),
    Transition("fill", DRAFT, None, ASSESS_PERMISSION, _("Fill in by hand")),
    Transition("confirm", DRAFT, AssessmentStatus.CONFIRMED, ASSESS_PERMISSION, _("Confirm")),
)


def _record(assessment, action, actor, from_status, to_status, *, at, opinion="", data=None):
    from evaluation.supervision.models import AssessmentEvent

    return AssessmentEvent.objects.create(
        assessment=assessment,
        action=action,
        actor=actor,
        role=role_of(actor),
        at=at,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
    )


ASSESSMENTS = Workflow(
    name="assessment",
    model="evaluation.Assessment",
    transitions=TRANSITIONS,
    states=AssessmentStatus,
    not_visible=AssessmentNotFound,
    forbidden=AssessmentForbidden,
    not_allowed=AssessmentStateError,
    record=_record,
    forbidden_message=_("Your role may not assess the collection company."),
    labels={"create": _("Created")},
)
