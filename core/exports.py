"""Exports too long for a web request (导出任务): above ``EXPORT_INLINE_MAX_ROWS`` rows the request creates an
``ExportJob`` and a Celery worker writes the workbook to a file; the job page shows a progress bar and, when done, a
download link. Below the threshold the views stream the workbook as before.

Writers are named by string (core imports no app of ours): ``kind`` → ``"app.module.function"``, called as
``writer(job, target, progress) -> rows written`` with ``target`` a binary file and ``progress(rows_done)``. The
writer scopes the rows itself with the requester's ``visible_to`` and the filters kept in ``job.options``, so a file
never holds a row its requester could not open.

Delivery and idempotence: the task is queued through the outbox after the job's transaction commits; it claims the
job with one conditional UPDATE (a duplicated message finds it taken and writes no second file); a repeated click
while the job runs answers the same job (one active job per kind, person and filters: a partial unique index). The
file is kept ``EXPORT_KEEP_HOURS`` (24 by default); beat's ``core.tasks.tend_export_jobs`` deletes older files, and
sends again a job left queued by a lost message or half-run by a killed worker. Each request and each download is
written to the audit log; only the requester, still holding the export's permission, may download the file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from core import audit, outbox
from core.choices import AuditAction
from core.models import ExportJob, ExportJobStatus
from core.replica import replica_reads

logger = logging.getLogger(__name__)

RUNNERS: dict[str, str] = {
    "cases": "cases.exports.run_job",
    "hotline_orders": "hotlines.exports.run_job",
}
# What each kind exports, for people (the admin's column and filter).
KIND_LABELS = {"cases": gettext_lazy("cases"), "hotline_orders": gettext_lazy("work orders")}
MAX_ATTEMPTS = 3
TASK = "core.tasks.run_export_job"


def inline_max_rows() -> int:
    return getattr(settings, "EXPORT_INLINE_MAX_ROWS", 5000)


def runs_in_background(queryset) -> bool:
    """More rows than a request should write: counted no further than the threshold, so a huge list costs one
    bounded count."""
    limit = inline_max_rows()
    return queryset.order_by()[: limit + 1].count() > limit


def filters_of(params) -> dict[str, list[str]]:
    """A request's query string as JSON can keep it (``page`` and the CSRF token are no filters)."""
    return {key: values for key, values in params.lists() if key not in ("page", "csrfmiddlewaretoken", "format")}


def query_dict(filters: dict[str, list[str]]) -> QueryDict:
    """The kept filters as the QueryDict a FilterSet reads."""
    params = QueryDict(mutable=True)
    for key, values in (filters or {}).items():
        params.setlist(key, list(values))
    return params


def _key(kind: str, user, options: dict) -> str:
    text = json.dumps([kind, user.pk, options], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def start_job(kind: str, user, *, permission: str, options: dict, request=None) -> tuple[ExportJob, bool]:
    """The running job for this kind, person and filters, or a new one queued after commit: (job, created)."""
    if kind not in RUNNERS:
        raise ValueError(f"unknown export kind {kind!r}")
    options = {**options, "language": translation.get_language() or settings.LANGUAGE_CODE}
    key = _key(kind, user, options)
    active = Q(status__in=(ExportJobStatus.QUEUED, ExportJobStatus.RUNNING))
    existing = ExportJob.objects.filter(active, request_key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(
                kind=kind, options=options, permission=permission, request_key=key, created_by=user
            )
            audit.record(
                AuditAction.EXPORT,
                request=request,
                actor=user,
                obj=job,
                export=kind,
                step="queued",
                filters=options.get("filters", {}),
            )
            outbox.enqueue_task(TASK, job_id=job.pk)
    except IntegrityError:  # a concurrent click won: answer its job
        return ExportJob.objects.get(active, request_key=key), False
    return job, True


class Progress:
    """Writes the rows written so far to the job, at most once a second (the worker runs outside a transaction)."""

    def __init__(self, job_id: int, every: float = 1.0) -> None:
        self.job_id, self.every, self.last = job_id, every, 0.0

    def total(self, rows: int) -> None:
        """How many rows the writer is about to write (for the bar)."""
        ExportJob.objects.filter(pk=self.job_id).update(rows_total=rows, heartbeat_at=timezone.now())

    def __call__(self, rows_done: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.every:
            return
        self.last = now
        ExportJob.objects.filter(pk=self.job_id, status=ExportJobStatus.RUNNING).update(
            rows_done=rows_done, heartbeat_at=timezone.now()
        )


def _stale_before():
    return timezone.now() - timedelta(minutes=getattr(settings, "EXPORT_JOB_STALE_MINUTES", 10))


def claim(job_id: int) -> int | None:
    """Take the job for this worker (one conditional UPDATE); answers the attempt number, or None when taken."""
    now = timezone.now()
    takeable = Q(status=ExportJobStatus.QUEUED) | Q(status=ExportJobStatus.RUNNING, heartbeat_at__lt=_stale_before())
    updated = ExportJob.objects.filter(takeable, pk=job_id, attempts__lt=MAX_ATTEMPTS).update(
        status=ExportJobStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
    )
    if not updated:
        return None
    return ExportJob.objects.filter(pk=job_id).values_list("attempts", flat=True).first()


def keep_for() -> timedelta:
    return timedelta(hours=getattr(settings, "EXPORT_KEEP_HOURS", 24))


def run(job_id: int) -> str:
    """Write one job's file (the Celery task's body); running it again for the same job does nothing."""
    attempt = claim(job_id)
    if attempt is None:
        return "skipped"
    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    writer: Callable = import_string(RUNNERS[job.kind])
    progress = Progress(job.pk)
    stored = ""
    with translation.override(job.options.get("language") or settings.LANGUAGE_CODE):
        try:
            with tempfile.TemporaryFile() as target:
                with replica_reads():  # the rows come from the replica when there is one (core/replica.py)
                    rows = writer(job, target, progress)
                target.seek(0)
                stored = default_storage.save(f"exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.xlsx", File(target))
        except Exception as exc:  # the job must end, whatever the rows did to the writer
            logger.exception("export job %s failed", job_id)
            ExportJob.objects.filter(pk=job_id, status=ExportJobStatus.RUNNING, attempts=attempt).update(
                status=ExportJobStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
            )
            return ExportJobStatus.FAILED
    now = timezone.now()
    finished = ExportJob.objects.filter(pk=job_id, status=ExportJobStatus.RUNNING, attempts=attempt).update(
        status=ExportJobStatus.DONE,
        file=stored,
        filename=f"{job.kind.replace('_', '-')}-{timezone.localtime(now):%Y%m%d-%H%M}.xlsx",
        rows_done=rows,
        finished_at=now,
        expires_at=now + keep_for(),
    )
    if not finished:  # a stale take-over finished it meanwhile: keep one file only
        default_storage.delete(stored)
        return "skipped"
    audit.record(AuditAction.EXPORT, actor=job.created_by, obj=job, export=job.kind, step="written", rows=rows)
    return ExportJobStatus.DONE


def record_download(request, job: ExportJob) -> None:
    audit.record(AuditAction.EXPORT, request=request, obj=job, export=job.kind, step="downloaded", rows=job.rows_done)


def purge(now=None) -> int:
    """Delete the files of jobs past their day (and end failed ones); rows stay, marked expired. Safe to repeat."""
    now = now or timezone.now()
    old = ExportJob.objects.filter(
        Q(status=ExportJobStatus.DONE, expires_at__lt=now)
        | Q(status=ExportJobStatus.FAILED, finished_at__lt=now - keep_for())
    )
    purged = 0
    for job_id, name in old.values_list("pk", "file"):
        if name:
            default_storage.delete(name)
        purged += ExportJob.objects.filter(pk=job_id, status__in=(ExportJobStatus.DONE, ExportJobStatus.FAILED)).update(
            status=ExportJobStatus.EXPIRED, file=""
        )
    return purged


def requeue_stale() -> int:
    """Send again the jobs a lost message or a killed worker left behind; fail those tried MAX_ATTEMPTS times."""
    waited = timezone.now() - timedelta(minutes=getattr(settings, "EXPORT_JOB_REQUEUE_MINUTES", 5))
    left = ExportJob.objects.filter(
        Q(status=ExportJobStatus.QUEUED, created_at__lt=waited)
        | Q(status=ExportJobStatus.RUNNING, heartbeat_at__lt=_stale_before())
    )
    left.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=ExportJobStatus.FAILED, finished_at=timezone.now(), error=f"gave up after {MAX_ATTEMPTS} attempts"
    )
    ids = list(left.filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True))
    for job_id in ids:
        with transaction.atomic():
            outbox.enqueue_task(TASK, job_id=job_id)
    return len(ids)


def status_of(job: ExportJob, download_url: str) -> dict:
    """What the progress JSON (console and API) says of a job."""
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "percent": job.percent,
        "finished": job.finished,
        "download_url": download_url if job.status == ExportJobStatus.DONE else None,
        "expires_at": job.expires_at.isoformat() if job.expires_at else None,
    }


def accepted(kind: str, request, *, permission: str, options: dict):
    """The API's answer to an export above the threshold: 202 with the job's status and where to follow it."""
    from django.urls import reverse
    from rest_framework.response import Response

    job, _created = start_job(kind, request.user, permission=permission, options=options, request=request)
    body = status_of(job, request.build_absolute_uri(reverse("api-export-job-download", args=[job.pk])))
    body["status_url"] = request.build_absolute_uri(reverse("api-export-job", args=[job.pk]))
    return Response(body, status=202, headers={"Location": body["status_url"]})


def visible_job(user, pk) -> ExportJob | None:
    """The job if *user* may follow and download it (its requester, still holding the permission), else None."""
    job = ExportJob.objects.filter(pk=pk).select_related("created_by").first()
    return job if job is not None and job.visible_to(user) else None


def download_response(request, job: ExportJob):
    """The finished file as an attachment under its readable name (404 once purged), the download audited."""
    from urllib.parse import quote

    from django.http import Http404

    from core.files import send_file

    if job.status != ExportJobStatus.DONE or not job.file:
        raise Http404
    response = send_file(job.file.name)
    response["Content-Disposition"] = (
        f"attachment; filename=\"export-{job.pk}.xlsx\"; filename*=UTF-8''{quote(job.filename or 'export.xlsx')}"
    )
    response["X-Row-Count"] = str(job.rows_done)
    record_download(request, job)
    return response
