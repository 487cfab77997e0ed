"""The Celery application: RabbitMQ (production) or Redis (the demo) as broker, beat for the schedule; the queues
and routes are in settings (CELERY_TASK_QUEUES, CELERY_TASK_ROUTES)."""

import os
from datetime import UTC, datetime

from celery import Celery
from celery.signals import before_task_publish

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citymgmt.settings")

app = Celery("citymgmt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@before_task_publish.connect
def stamp_health_sample(sender=None, body=None, **_kwargs):
    """Beat publishes the health sample when it is due: record that instant in its arguments, so a sample that
    waits in the queue still counts for the minute it was due (core.tasks.record_health)."""
    if sender != "core.tasks.record_health" or not isinstance(body, tuple) or len(body) < 2:
        return
    kwargs = body[1]
    if isinstance(kwargs, dict) and not kwargs.get("due"):
        kwargs["due"] = datetime.now(UTC).isoformat()
