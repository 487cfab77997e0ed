"""The immutable timeline of a case: one row per transition (the platform's one event shape, ``TimelineEvent``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.choices import CaseStatus
from core.models import ImmutableEventError, TimelineEvent
from core.partitions import yearly

ImmutableRowError = ImmutableEventError  # the name the cases layer used before the shape was shared


# The biggest table of the platform (about seven rows per case): one partition per China-time year of ``at``
# (migration 0012; core/partitions.py). The database's primary key is (id, at); Django keeps ``id``.
PARTITIONS = yearly("cases_caseevent", "at")


class CaseEvent(TimelineEvent):
    """Who did what to a case, when, from which status to which, with what opinion and attachments."""

    timeline = "case"

    # PROTECT: a case with a history is never deleted, so its events are never deleted by cascade.
    # No index of its own: ``case_event_case_at`` (case, at) serves every look-up by case (one index less per
    # yearly partition of the biggest table).
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="events", db_index=False)
    # The columns as the rollups have always read them (kept as declared, so the big table is never migrated).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(_("from"), max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=CaseStatus.choices)
    at = models.DateTimeField(_("time"), db_index=True)
    opinion = models.TextField(_("opinion"), blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.from_status}→{self.to_status}"
