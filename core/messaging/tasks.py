"""Celery tasks of the notification channels; both take ids or times and are safe to run twice."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from core.messaging import services


@shared_task(name="core.messaging.tasks.send_delivery", ignore_result=True)
def send_delivery(delivery_id: int, attempt: int, now: str | None = None) -> str:
    """Send one delivery (its *attempt*-th try); a copy of a task already run, or run elsewhere, does nothing."""
    return services.attempt(delivery_id, attempt, datetime.fromisoformat(now) if now else None)


@shared_task(name="core.messaging.tasks.dispatch_due", ignore_result=True)
def dispatch_due(now: str | None = None) -> int:
    """Beat, every MESSAGING_SWEEP_SECONDS: queue the retries whose back-off passed, the messages held for quiet
    hours that are over, and any task the broker lost."""
    return len(services.release_due(datetime.fromisoformat(now) if now else None))
