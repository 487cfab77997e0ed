from celery import shared_task

from core.health import run_checks


@shared_task(name="core.tasks.record_health", ignore_result=True)
def record_health() -> str:
    """Beat runs this every minute so the fault rate has a steady sample even when nobody polls /healthz."""
    return run_checks(record=True)["status"]
