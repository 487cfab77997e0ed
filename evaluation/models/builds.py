"""The record of every rebuild of the rollups (``evaluation.rollups``): what it covered and how long it took.

The nightly rebuild is incremental: it recomputes only the months whose cases changed since the previous rebuild
began, so it needs to know when that was and whether the measures were the same then (a changed measure — new code
— makes the next rebuild a full one). The rows also tell an operator what the nightly job did.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class RollupScope(models.TextChoices):
    FULL = "full", _("every case")
    YEAR = "year", _("one year")
    CHANGED = "changed", _("the months changed")


class RollupBuild(models.Model):
    scope = models.CharField(_("scope"), max_length=10, choices=RollupScope.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    # For CHANGED: cases updated from this moment on (the previous rebuild's start, less a margin) were looked at.
    since = models.DateTimeField(_("changes since"), null=True, blank=True)
    # The newest case id when it began: a later case is looked at even if its ``updated_at`` was back-dated (a
    # report filed with the time a camera caught it).
    last_case_id = models.BigIntegerField(_("last case id"), null=True, blank=True)
    months = ArrayField(models.DateField(), verbose_name=_("months rebuilt"), default=list, blank=True)
    measures = models.CharField(_("measures version"), max_length=12)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    seconds = models.FloatField(_("seconds"))
    timings = models.JSONField(_("seconds per step"), default=dict)

    class Meta:
        verbose_name = _("rollup rebuild")
        verbose_name_plural = _("rollup rebuilds")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["scope", "started_at"], name="rollupbuild_scope_started")]

    def __str__(self) -> str:
        return f"{self.scope} {self.started_at:%Y-%m-%d %H:%M}"
