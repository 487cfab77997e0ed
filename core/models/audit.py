"""The security audit log (安全审计日志): who did what security-relevant thing, from where, when.

Rows are written by ``core.audit.record`` only and can never be changed or removed: a database trigger refuses
UPDATE and DELETE (migration 0004), so not even a superuser's SQL session can edit the trail by accident."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import AuditAction, Role


class AuditEntry(models.Model):
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # The actor is kept by PROTECT: a user with audit entries is deactivated, never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Copied at the time: a later change of the user's role or department does not rewrite history.
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    address = models.GenericIPAddressField(_("source address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_text = models.CharField(_("object"), max_length=200, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["actor", "at"], name="auditentry_actor_at"),
            models.Index(fields=["object_type", "object_id"], name="auditentry_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name or '-'} {self.action}"

    @property
    def data_text(self) -> str:
        """The data as readable JSON (Chinese left as is) for the log page."""
        return json.dumps(self.data, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder) if self.data else ""
