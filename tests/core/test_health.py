from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import before_task_publish
from django.utils import timezone

from citymgmt.celery import app as celery_app
from core.models import HealthCheck


@pytest.fixture(scope="module")
def celery_worker():
    """A real Celery worker on the real Redis broker, in a thread."""
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING") as worker:
        yield worker


@pytest.mark.django_db(transaction=True)
def test_an_anonymous_probe_gets_the_status_and_writes_nothing(client, celery_worker, make_user):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "ok"}
    assert not HealthCheck.objects.exists()
    # Staff see each check's detail; still nothing is recorded.
    staff = make_user("ops", "admin", is_staff=True)
    client.force_login(staff)
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["database"]["ok"] and body["redis"]["ok"] and body["celery"]["ok"]
    assert not HealthCheck.objects.exists()


@pytest.mark.django_db
def test_fault_when_no_worker_answers(client, settings):
    settings.HEALTH_CELERY_TIMEOUT = 0.3
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "fault"}
    assert not HealthCheck.objects.exists()


@pytest.mark.django_db
def test_fault_when_redis_is_unreachable(client, settings, make_user):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    client.force_login(make_user("ops", "admin", is_staff=True))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"]["ok"] is False


@pytest.mark.django_db
def test_beat_samples_once_per_due_minute_and_a_late_sample_says_when_it_was_due(settings):
    from core.tasks import record_health

    settings.HEALTH_CELERY_TIMEOUT = 0.2  # no worker here: the samples are faults, which is beside the point
    due = timezone.now().replace(second=0, microsecond=0)
    record_health(due=(due + timedelta(seconds=1)).isoformat())
    record_health(due=due.isoformat())  # re-delivered: that minute is sampled already
    sample = HealthCheck.objects.get()
    assert sample.due_at == due and sample.detail["due_at"] == due.isoformat()

    late = due - timedelta(minutes=10)
    record_health(due=late.isoformat())
    stale = HealthCheck.objects.get(due_at=late)
    assert not stale.healthy and stale.detail["late_seconds"] >= 600
    assert stale.checked_at - stale.due_at >= timedelta(minutes=10)


def test_beat_stamps_the_instant_a_sample_was_published():
    body = ((), {}, {})
    before_task_publish.send(sender="core.tasks.record_health", body=body, headers={})
    stamped = datetime.fromisoformat(body[1]["due"])
    assert abs((timezone.now() - stamped).total_seconds()) < 5
    other = ((), {}, {})
    before_task_publish.send(sender="cases.tasks.mark_overdue", body=other, headers={})
    assert other[1] == {}


@pytest.mark.django_db
def test_the_fault_rate_counts_unhealthy_and_missing_minutes(settings):
    from evaluation.metrics import system_metric

    day = date(2026, 3, 10)
    start = timezone.make_aware(datetime(2026, 3, 10))
    rows = []
    for minute in range(1440):
        if 600 <= minute < 610:  # a ten-minute outage: beat wrote nothing
            continue
        healthy = not (700 <= minute < 705)  # five unhealthy samples
        rows.append(
            HealthCheck(
                due_at=start + timedelta(minutes=minute),
                database_ok=True,
                redis_ok=True,
                celery_ok=healthy,
                healthy=healthy,
            )
        )
    HealthCheck.objects.bulk_create(rows)
    # Probes of /healthz never wrote samples; stray rows without a due minute count for nothing.
    HealthCheck.objects.create(database_ok=True, redis_ok=True, celery_ok=False, healthy=False)
    assert system_metric("system_fault_rate", day, day) == Decimal("1.04")  # 15 of 1440 minutes
    # Before monitoring began there is no figure; a period that starts earlier counts from the first sample.
    assert system_metric("system_fault_rate", date(2026, 2, 1), date(2026, 2, 28)) is None
    assert system_metric("system_fault_rate", date(2026, 3, 1), day) == Decimal("1.04")
