"""In-app notifications (站内消息): overdue warnings, urges, tasks; an unread count in the console."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=30)
    message = models.CharField(_("message"), max_length=300)
    url = models.CharField(_("link"), max_length=200, blank=True)
    # Re-running a task must not notify twice: (recipient, dedupe_key) is unique when a key is given.
    dedupe_key = models.CharField(_("deduplication key"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~models.Q(dedupe_key=""), name="notification_dedupe"
            )
        ]

    def __str__(self) -> str:
        return self.message
