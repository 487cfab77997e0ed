"""Celery tasks of the core layer. Each is safe to run twice and survives a killed worker (README: Security and
operations)."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core import outbox
from core.health import record_sample


@shared_task(name="core.tasks.record_health", ignore_result=True)
def record_health(due: str | None = None) -> str:
    """Beat's one-a-minute sample. *due* is the instant beat published it (stamped by citymgmt.celery), so a
    sample run late is recorded for the minute it was due; a second run for that minute adds nothing."""
    due_at = datetime.fromisoformat(due) if due else timezone.now()
    return record_sample(due_at)["status"]


@shared_task(name="core.tasks.relay_outbox", ignore_result=True)
def relay_outbox() -> int:
    """Deliver the outbox rows still pending (every few seconds); rows are locked one by one, so overlapping
    relays and the in-process delivery never run a handler twice."""
    return outbox.relay()


@shared_task(name="core.tasks.purge_outbox", ignore_result=True)
def purge_outbox() -> int:
    """Delete delivered outbox rows older than OUTBOX_KEEP_DAYS (nightly)."""
    return outbox.purge()


# A file job (import or export) may run for hours: acknowledged when it ends, given back if its worker is lost, with
# its own time limit; the job row's conditional claim makes a second delivery harmless.
FILE_JOB = {
    "ignore_result": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "time_limit": settings.IMPORT_JOB_TIME_LIMIT,
    "soft_time_limit": settings.IMPORT_JOB_TIME_LIMIT - 60,
}


@shared_task(name="core.tasks.run_import_job", **FILE_JOB)
def run_import_job(job_id: int) -> str:
    """Parse and import one uploaded file (core.imports.run): runs once per job however often it is delivered."""
    from core.imports import run

    return run(job_id)


@shared_task(name="core.tasks.requeue_import_jobs", ignore_result=True)
def requeue_import_jobs() -> int:
    """Beat: send again the import jobs a lost message or a killed worker left queued or half-run."""
    from core.imports import requeue_stale

    return requeue_stale()


@shared_task(name="core.tasks.run_export_job", **FILE_JOB)
def run_export_job(job_id: int) -> str:
    """Write one export job's file (core.exports.run): one file per job however often it is delivered."""
    from core.exports import run

    return run(job_id)


@shared_task(name="core.tasks.tend_export_jobs", ignore_result=True)
def tend_export_jobs() -> dict:
    """Beat: send again the export jobs a lost message or a killed worker left behind, and delete the files past
    their day (EXPORT_KEEP_HOURS)."""
    from core.exports import purge, requeue_stale

    return {"requeued": requeue_stale(), "purged": purge()}


@shared_task(name="core.tasks.create_year_partitions", ignore_result=True)
def create_year_partitions(years_ahead: int = 1) -> int:
    """Every night: this year's and next year's partitions of every yearly table (core/partitions.py), and a
    partition for any year whose rows landed in a DEFAULT partition (an old history replayed). Idempotent."""
    from core.partitions import YEARLY

    today = timezone.localdate()
    created = 0
    for spec in YEARLY.values():
        created += spec.ensure({*range(today.year, today.year + years_ahead + 1), *spec.years_in_default()})
    return created
