"""Stored period figures (周期指标结果): what the big screen, the home pages and the bulletins' period API show,
computed by Celery on a schedule (``evaluation.tasks.refresh_period_figures``) and read by the pages as one row.

A row is one *kind* of figures (the screen's panels, the screen's open-case layer, the home page's month, a
period's full figures) over one period ``start``..``end``; refreshing overwrites it in place (``INSERT … ON
CONFLICT``), so running the task twice leaves the same rows. ``computed_at`` tells the readers how old it is; a
reader that finds no row or a stale one (the workers are down) computes it itself (``evaluation.stored_figures``).
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodFigure(models.Model):
    kind = models.CharField(_("kind"), max_length=40)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    data = models.JSONField(_("figures"), encoder=DjangoJSONEncoder)
    computed_at = models.DateTimeField(_("computed at"))
    seconds = models.FloatField(_("computation time (s)"), default=0)

    class Meta:
        verbose_name = _("stored period figures")
        verbose_name_plural = _("stored period figures")
        constraints = [models.UniqueConstraint(fields=["kind", "start", "end"], name="periodfigure_key")]

    def __str__(self) -> str:
        return f"{self.kind} {self.start}..{self.end}"
