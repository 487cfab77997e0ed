"""The one shape of an event row: who (and in which role) did what to an object, when, with what data.

``TimelineEvent`` is abstract: every workflow keeps its own table (``CaseEvent``, ``WorkOrderEvent``,
``ChannelEvent``, ``BulletinEvent``, ``SelfEvaluationEvent`` — the case table is the big one the rollups read), each
adding its subject and, where it has a state, ``from_status``/``to_status``. Rows are written by the workflow runner
(``core.workflow``) and never changed: ``save`` of a stored row and ``delete`` raise here, and the database refuses
UPDATE and DELETE too (``core.append_only`` triggers, in each table's migration). An event without a person (Celery
beat, a linked case closing) has no actor and is shown as the system. ``get_action_label`` reads the one label
registry (``core.workflow.label_of``), which ``templates/core/_timeline.html`` renders for any of the tables.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImmutableEventError(ValueError):
    """An event row, once written, is never changed or deleted."""


class TimelineEvent(models.Model):
    timeline: ClassVar[str] = ""  # the workflow's name in the label registry

    action = models.CharField(_("action"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # a person with a history is deactivated, never deleted
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=20, blank=True)  # the actor's at the time; empty for the system
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ImmutableEventError(f"{self._meta.verbose_name} rows are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableEventError(f"{self._meta.verbose_name} rows are immutable")

    def timeline_name(self) -> str:
        return self.timeline

    def get_action_label(self) -> str:
        from core.workflow import label_of

        return label_of(self.timeline_name(), self.action)

    @property
    def actor_name(self) -> str:
        """The person's name, or empty for the system (the partial shows "System")."""
        if self.actor_id is None:
            return ""
        return self.actor.get_full_name() or self.actor.get_username()

    def state_change(self) -> tuple[str, str] | None:
        """(from, to) as labels, for tables with a state; None for the others or an event that starts the object."""
        from core.workflow import WORKFLOWS

        before = getattr(self, "from_status", "")
        if not before:
            return None
        flow = WORKFLOWS.get(self.timeline_name())
        after = getattr(self, "to_status", "")
        if flow is None:
            return before, after
        return flow.state_label(before), flow.state_label(after)
