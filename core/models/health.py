"""Health-check records: the platform's own availability, for the system fault rate (系统运行故障率)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HealthCheck(models.Model):
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True, db_index=True)
    database_ok = models.BooleanField(_("database up"))
    redis_ok = models.BooleanField(_("Redis up"))
    celery_ok = models.BooleanField(_("Celery worker up"))
    healthy = models.BooleanField(_("healthy"), db_index=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("health check")
        verbose_name_plural = _("health checks")
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M} {'ok' if self.healthy else 'fault'}"
