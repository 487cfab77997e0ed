import pytest
from celery.contrib.testing.worker import start_worker

from citymgmt.celery import app as celery_app
from core.models import HealthCheck


@pytest.fixture(scope="module")
def celery_worker():
    """A real Celery worker on the real Redis broker, in a thread."""
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING") as worker:
        yield worker


@pytest.mark.django_db(transaction=True)
def test_healthy_when_database_redis_and_a_worker_answer(client, celery_worker):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["redis"]["ok"] and body["celery"]["ok"]
    record = HealthCheck.objects.get()
    assert record.healthy


@pytest.mark.django_db
def test_fault_when_no_worker_answers(client, settings):
    settings.HEALTH_CELERY_TIMEOUT = 0.3
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["celery"]["ok"] is False
    record = HealthCheck.objects.get()
    assert not record.healthy and record.database_ok and record.redis_ok


@pytest.mark.django_db
def test_fault_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"]["ok"] is False
