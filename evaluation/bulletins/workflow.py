"""The workflow of a monthly bulletin: a draft is recomputed as often as needed, then published and frozen for good.

One table (``core.workflow``) run by the platform's runner: permission (403), row lock, state (409 naming the
state's label: a published bulletin is frozen), the handler (``evaluation.bulletins.services``), one immutable
``BulletinEvent``, side effects through the outbox. Creating a month's bulletin is not a transition: Celery beat or
a publisher calls ``create_bulletin`` (idempotent), which writes the timeline's first row, ``create``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workflow import Forbidden, NotAllowed, NotVisible, Transition, Workflow, role_of, table
from evaluation.models.bulletins import BulletinStatus

PUBLISH_PERMISSION = "evaluation.publish_bulletin"


class BulletinNotFound(NotVisible):
    workflow = "bulletin"
    public_message = _("No such bulletin.")


class BulletinForbidden(Forbidden):
    workflow = "bulletin"


class BulletinStateError(NotAllowed):
    """The bulletin's status does not allow this (e.g. publishing a published one)."""

    workflow = "bulletin"


TRANSITIONS = table(
    # Celery beat recomputes drafts as the system (no actor); a person needs the publish permission.
    Transition("refresh", frozenset({BulletinStatus.DRAFT}), None, PUBLISH_PERMISSION, _("Recompute")),
    Transition(
        "publish", frozenset({BulletinStatus.DRAFT}), BulletinStatus.PUBLISHED, PUBLISH_PERMISSION, _("Publish")
    ),
)


def _record(bulletin, action, actor, from_status, to_status, *, at, opinion="", data=None):
    from evaluation.models import BulletinEvent

    return BulletinEvent.objects.create(
        bulletin=bulletin,
        action=action,
        actor=actor,
        role=role_of(actor),
        at=at,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
    )


BULLETINS = Workflow(
    name="bulletin",
    model="evaluation.Bulletin",
    transitions=TRANSITIONS,
    states=BulletinStatus,
    not_visible=BulletinNotFound,
    forbidden=BulletinForbidden,
    not_allowed=BulletinStateError,
    record=_record,
    forbidden_message=_("Your role may not change monthly bulletins."),
    system_allowed=frozenset({"refresh"}),
    labels={"create": _("Created")},
)
