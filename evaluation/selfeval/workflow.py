"""The workflow of an annual self-evaluation (绩效自评): edits, recomputations, checks, exports and imports.

None of its actions depends on the state (any change returns it to draft; a check passed makes it ``checked``, an
export ``exported``), so each row's sources are ``ANY_STATE``; the table still says who may do what, and the
platform's runner (``core.workflow``) checks the permission (403), locks the row, runs the handler
(``evaluation.selfeval.services``) and writes one immutable ``SelfEvaluationEvent``. Reading is checked by the views
(``evaluation.view_selfevaluation``), so visibility is the row's existence (404 under the lock)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workflow import ANY_STATE, Forbidden, NotVisible, Transition, Workflow, role_of, table
from evaluation.models.selfeval import SelfEvaluationStatus

CHANGE_PERMISSION = "evaluation.change_selfevaluation"


class SelfEvaluationNotFound(NotVisible):
    workflow = "self-evaluation"
    public_message = _("Not found.")


class SelfEvaluationForbidden(Forbidden):
    workflow = "self-evaluation"


def _t(action: str, label) -> Transition:
    return Transition(action, ANY_STATE, None, CHANGE_PERMISSION, label)


TRANSITIONS = table(
    _t("edit", _("edited")),
    _t("recompute", _("recomputed from the platform")),
    _t("check", _("checked")),
    _t("adopt", _("adopted the platform's figures")),
    _t("export", _("exported")),
    _t("import", _("imported")),
)


def _record(evaluation, action, actor, from_status, to_status, *, at, opinion="", data=None):
    from evaluation.models import SelfEvaluationEvent

    return SelfEvaluationEvent.objects.create(
        evaluation=evaluation,
        action=action,
        actor=actor,
        role=role_of(actor),
        at=at,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
    )


SELF_EVALUATIONS = Workflow(
    name="self-evaluation",
    model="evaluation.SelfEvaluation",
    transitions=TRANSITIONS,
    states=SelfEvaluationStatus,
    not_visible=SelfEvaluationNotFound,
    forbidden=SelfEvaluationForbidden,
    record=_record,
    forbidden_message=_("Your role may not change self-evaluations."),
    select_related=("project",),
    system_allowed=frozenset({"recompute"}),  # the nightly refresh (evaluation.selfeval.refresh) has no person
    labels={"create": _("created"), "seed": _("demo data")},
)
