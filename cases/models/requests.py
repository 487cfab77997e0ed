from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.choices import RequestKind, RequestStatus


class CaseRequest(models.Model):
    """An application that needs approval: return (回退), extension (延期), suspension (挂账) or cancellation (作废)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("kind"), max_length=12, choices=RequestKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    reason = models.TextField(_("reason"))
    # Extensions: how much more time is asked for (value + core.choices.TimeUnit).
    extension_value = models.DecimalField(_("extension"), max_digits=7, decimal_places=2, null=True, blank=True)
    extension_unit = models.CharField(_("extension unit"), max_length=20, blank=True)
    # The status the case had when the request was made (a denied return goes back there).
    case_status = models.CharField(_("case status at request"), max_length=20)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_opinion = models.TextField(_("decision opinion"), blank=True)

    class Meta:
        verbose_name = _("case request")
        verbose_name_plural = _("case requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"], condition=models.Q(status="pending"), name="one_pending_request_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.status}"
