"""Return visits (回访): what a reporter from the public answered when asked about a closed case."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.choices import Satisfaction


class ReturnVisit(models.Model):
    """One answer to "are you satisfied with how your report was handled?" (满意/基本满意/不满意). Written only by the
    ``revisit`` action (``cases.services.visits``), beside the case event that records it; a case reopened after
    不满意 and closed again is asked again, so the latest visit is the one that counts (the 服务对象满意度
    indicator of the evaluation layer reads it from here)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="return_visits")
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=Satisfaction.choices)
    channel = models.CharField(_("channel"), max_length=20)  # "public_link" (the tracking link), "desk" (phone)
    opinion = models.CharField(_("opinion"), max_length=500, blank=True)
    reopened = models.BooleanField(_("reopened"), default=False)
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        ordering = ["case", "at", "id"]
        indexes = [models.Index(fields=["case", "-at"], name="return_visit_case_latest")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.satisfaction}"
