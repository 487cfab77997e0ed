from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.choices import Stage
from core.choices import TimeUnit


class StageLimit(models.Model):
    """Time limit of a stage other than disposal (disposal limits come from the filing condition). Configurable."""

    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, unique=True)
    value = models.DecimalField(_("limit"), max_digits=7, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20, choices=TimeUnit.choices, default=TimeUnit.WORK_MINUTES)

    class Meta:
        verbose_name = _("stage time limit")
        verbose_name_plural = _("stage time limits")
        ordering = ["stage"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.value} {self.get_unit_display()}"
