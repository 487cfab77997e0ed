"""Health-check records: the platform's own availability, for the system fault rate (系统运行故障率).

Only beat's schedule writes samples, one per minute, each stamped with the minute it was due (``due_at``): the
fault rate counts unhealthy samples and minutes with no sample at all (an outage takes beat down too). Probes of
``/healthz`` by load balancers write nothing.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class HealthCheck(models.Model):
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True, db_index=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    database_ok = models.BooleanField(_("database up"))
    redis_ok = models.BooleanField(_("Redis up"))
    celery_ok = models.BooleanField(_("Celery worker up"))
    healthy = models.BooleanField(_("healthy"), db_index=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("health check")
        verbose_name_plural = _("health checks")
        ordering = ["-checked_at"]
        # One sample per due minute: a re-delivered sampling task adds nothing.
        constraints = [
            models.UniqueConstraint(fields=["due_at"], condition=Q(due_at__isnull=False), name="healthcheck_due_once")
        ]

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M} {'ok' if self.healthy else 'fault'}"
