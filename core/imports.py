"""Imports too big for a web request (导入任务): the request checks the upload against the spreadsheet kit's limits,
stores it and creates an ``ImportJob``; a Celery task parses and imports it with the importer the management command
uses, writing its progress as it goes; the job page polls that progress and shows the row-numbered report at the end.

Runners are named by string (core imports no app of ours): ``kind`` → ``"app.module.function"``, called as
``runner(job, progress) -> report as JSON`` with ``progress(rows_done)``.

Delivery: the task is queued after the job's transaction commits; it claims the job with one conditional UPDATE (a
re-delivered or duplicated message finds it taken and does nothing), and beat's ``requeue_import_jobs`` sends again
any job still queued after ``IMPORT_JOB_REQUEUE_MINUTES`` (a message lost with a broker) or running without progress
for ``IMPORT_JOB_STALE_MINUTES`` (a killed worker: each importer is all-or-nothing, so running it again is safe).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit, outbox
from core.models import ImportJob, ImportJobStatus
from core.spreadsheets import UploadInfo

logger = logging.getLogger(__name__)

RUNNERS: dict[str, str] = {
    "components": "grids.loaders.jobs.run_components",
    "base_roads": "grids.basemap.jobs.run_layer",
    "base_buildings": "grids.basemap.jobs.run_layer",
    "base_water": "grids.basemap.jobs.run_layer",
    "base_green": "grids.basemap.jobs.run_layer",
    "base_labels": "grids.basemap.jobs.run_layer",
    "hotline_orders": "hotlines.imports.run_job",
    "selfeval": "evaluation.selfeval.importer.run_job",
}
# What each kind imports, for people (the admin's column and filter).
KIND_LABELS = {
    "components": gettext_lazy("components"),
    "base_roads": gettext_lazy("roads"),
    "base_buildings": gettext_lazy("buildings"),
    "base_water": gettext_lazy("water"),
    "base_green": gettext_lazy("green spaces"),
    "base_labels": gettext_lazy("place labels"),
    "hotline_orders": gettext_lazy("work orders"),
    "selfeval": gettext_lazy("self-evaluations"),
}
MAX_ATTEMPTS = 3


def background_threshold() -> int:
    """Uploads estimated above this many rows are imported by a worker, not by the web request."""
    return getattr(settings, "IMPORT_BACKGROUND_ROWS", 5000)


def runs_in_background(info: UploadInfo) -> bool:
    """Above the row threshold, or with more to unpack than a request should read (a workbook may claim ten rows
    and carry 90 MB of shared strings)."""
    return info.rows > background_threshold() or info.unpacked > getattr(
        settings, "IMPORT_BACKGROUND_BYTES", 20 * 1024 * 1024
    )


def start_job(kind: str, upload, user, *, rows: int, options: dict | None = None) -> ImportJob:
    """Store *upload* and queue its import; the task runs once the caller's transaction has committed."""
    if kind not in RUNNERS:
        raise ValueError(f"unknown import kind {kind!r}")
    original = Path(upload.name).name
    job = ImportJob(
        kind=kind,
        filename=original[-255:],
        options={**(options or {}), "language": translation.get_language()},
        created_by=user,
        rows_total=rows,
    )
    upload.seek(0)
    job.file.save(f"{uuid.uuid4().hex}{Path(original).suffix.lower()}", upload, save=False)  # streamed in chunks
    job.save()
    audit.record_import(kind, file_name=original, rows=rows, outcome="queued", actor=user, obj=job)
    _queue_after_commit(job.pk)
    return job


def _queue_after_commit(job_id: int) -> None:
    """Through the outbox: the message is written with the job and sent after commit, or later by the relay while
    the broker is down."""
    outbox.enqueue_task("core.tasks.run_import_job", job_id=job_id)


class Progress:
    """Writes the rows read to the job through a connection of its own: the importer's transaction would hide an
    UPDATE made on its connection until the very end. Throttled to one write a second."""

    def __init__(self, job_id: int, every: float = 1.0) -> None:
        self.job_id = job_id
        self.every = every
        self.last = 0.0
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, rows_done: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.every:
            return
        self.last = now
        with self.connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_importjob SET rows_done = %s, heartbeat_at = now() WHERE id = %s AND status = %s",
                [rows_done, self.job_id, ImportJobStatus.RUNNING],
            )

    def close(self) -> None:
        self.connection.close()


def _stale_before():
    return timezone.now() - timedelta(minutes=getattr(settings, "IMPORT_JOB_STALE_MINUTES", 10))


def claim(job_id: int) -> bool:
    """Take the job for this worker: one conditional UPDATE that touches one row or none."""
    now = timezone.now()
    takeable = Q(status=ImportJobStatus.QUEUED) | Q(status=ImportJobStatus.RUNNING, heartbeat_at__lt=_stale_before())
    return bool(
        ImportJob.objects.filter(takeable, pk=job_id, attempts__lt=MAX_ATTEMPTS).update(
            status=ImportJobStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
        )
    )


def run(job_id: int) -> str:
    """Run one job to its end (the Celery task's body); safe to call again for the same job."""
    if not claim(job_id):
        return "skipped"
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    runner: Callable = import_string(RUNNERS[job.kind])
    progress = Progress(job.pk)
    status = ImportJobStatus.DONE
    with translation.override(job.options.get("language") or settings.LANGUAGE_CODE):
        try:
            report = runner(job, progress)
        except Exception as exc:  # the job must end, whatever the file did to the importer
            logger.exception("import job %s failed", job_id)
            status = ImportJobStatus.FAILED
            report = _file_error(_("The import failed: %(error)s") % {"error": exc})
        finally:
            progress.close()
    ImportJob.objects.filter(pk=job_id, status=ImportJobStatus.RUNNING).update(
        status=status,
        report=report,
        finished_at=timezone.now(),
        rows_done=report.get("rows") or F("rows_done"),
    )
    outcome = (
        "failed"
        if status == ImportJobStatus.FAILED
        else audit.import_outcome(bool(report.get("written")), bool(job.options.get("dry_run")))
    )
    audit.record_import(
        job.kind, file_name=job.filename, rows=report.get("rows"), outcome=outcome, actor=job.created_by, obj=job
    )
    return status


def _file_error(message: str) -> dict:
    return {"errors": [{"row": 0, "field": "file", "message": message}]}


def requeue_stale() -> int:
    """Send again the jobs a lost message or a killed worker left behind; fail those tried MAX_ATTEMPTS times."""
    waited = timezone.now() - timedelta(minutes=getattr(settings, "IMPORT_JOB_REQUEUE_MINUTES", 5))
    left = ImportJob.objects.filter(
        Q(status=ImportJobStatus.QUEUED, created_at__lt=waited)
        | Q(status=ImportJobStatus.RUNNING, heartbeat_at__lt=_stale_before())
    )
    left.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=ImportJobStatus.FAILED,
        finished_at=timezone.now(),
        report=_file_error(_("Gave up after %(count)s attempts.") % {"count": MAX_ATTEMPTS}),
    )
    ids = list(left.filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True))
    for job_id in ids:
        _queue_after_commit(job_id)
    return len(ids)
