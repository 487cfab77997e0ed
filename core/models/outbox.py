"""The transactional outbox (发件箱): side effects written in the same transaction as the change they follow.

A row names a handler by its dotted path and carries its keyword arguments as JSON; ``core.outbox`` delivers it
after the commit, and beat's relay delivers whatever is still pending (a process died, a handler failed, the
broker was down). A row is marked delivered in the transaction that ran its handler, so nothing runs twice.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    handler = models.CharField(_("handler"), max_length=200)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    due_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True, db_index=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["id"]
        # The relay's one query: pending rows whose time has come, oldest first.
        indexes = [models.Index(fields=["due_at", "id"], condition=Q(delivered_at__isnull=True), name="outbox_pending")]

    def __str__(self) -> str:
        return f"{self.handler} #{self.pk}"
