from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StreetOffice(models.Model):
    """Which department answers for a street/town (街道办/镇政府): the last rule of the dispatch suggestion."""

    street_code = models.CharField(_("street code"), max_length=9, unique=True)
    department = models.ForeignKey("core.Department", verbose_name=_("department"), on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("street office")
        verbose_name_plural = _("street offices")
        ordering = ["street_code"]

    def __str__(self) -> str:
        return f"{self.street_code} → {self.department}"
