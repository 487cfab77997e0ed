from celery import shared_task

from core.health import run_checks


@shared_task(name="core.tasks.record_health", ignore_result=True)
def record_health() -> str:
    """Beat runs this every minute so the fault rate has a steady sample even when nobody polls /healthz."""
    return run_checks(record=True)["status"]


@shared_task(name="core.tasks.run_import_job", ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def run_import_job(job_id: int) -> str:
    """Parse and import one uploaded file (core.imports.run): runs once per job however often it is delivered."""
    from core.imports import run

    return run(job_id)


@shared_task(name="core.tasks.requeue_import_jobs", ignore_result=True)
def requeue_import_jobs() -> int:
    """Beat: send again the import jobs a lost message or a killed worker left queued or half-run."""
    from core.imports import requeue_stale

    return requeue_stale()
