"""Export jobs (导出任务): a list too long for a web request is written to a file by a Celery worker, kept for a day
and downloaded by the person who asked for it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExportJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


ACTIVE = (ExportJobStatus.QUEUED, ExportJobStatus.RUNNING)


class ExportJob(models.Model):
    """One export on its way to a file. ``kind`` names the writer (``core.exports.RUNNERS``), ``options`` the
    filters it was asked with; ``permission`` is what the requester needed then and still needs to download it.
    ``request_key`` (kind + person + filters) lets one request stand for a repeated click while it runs."""

    kind = models.CharField(_("kind"), max_length=40)
    options = models.JSONField(_("options"), default=dict, blank=True)
    permission = models.CharField(_("permission needed"), max_length=100)
    request_key = models.CharField(_("request key"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_jobs", verbose_name=_("requested by")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ExportJobStatus.choices, default=ExportJobStatus.QUEUED
    )
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", max_length=255, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    rows_total = models.PositiveIntegerField(_("rows (estimated)"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="core_exportjob_status_idx"),
            models.Index(fields=["expires_at"], name="core_exportjob_expires_idx"),
        ]
        constraints = [
            # A second click while the first export runs answers the first job, never a second file.
            models.UniqueConstraint(
                fields=["request_key"], condition=Q(status__in=ACTIVE), name="core_exportjob_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status not in ACTIVE

    @property
    def percent(self) -> int:
        if self.status == ExportJobStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_done / self.rows_total))

    def visible_to(self, user) -> bool:
        """Only the requester, while they still hold the permission the export needed (a moved or demoted person
        loses the file with the right); nobody else learns the job exists."""
        return user.is_authenticated and user.pk == self.created_by_id and user.has_perm(self.permission)
