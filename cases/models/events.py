"""The immutable timeline of a case: one row per transition."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.choices import CaseStatus


class ImmutableRowError(Exception):
    pass


class CaseEvent(models.Model):
    """Who did what to a case, when, from which status to which, with what opinion and attachments."""

    # PROTECT: a case with a history is never deleted, so its events are never deleted by cascade.
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20, blank=True)
    from_status = models.CharField(_("from"), max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=CaseStatus.choices)
    at = models.DateTimeField(_("time"), db_index=True)
    opinion = models.TextField(_("opinion"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.from_status}→{self.to_status}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ImmutableRowError("case events are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRowError("case events are immutable")
