"""Liveness of what the platform runs on: the database, Redis and at least one Celery worker.

``/healthz`` runs the checks for load balancers (200/503) and writes nothing; beat samples once a minute through
``core.tasks.record_health`` (``record_sample``), the only source of the system fault rate.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)


def _timed(check) -> tuple[bool, dict]:
    started = time.perf_counter()
    try:
        extra = check() or {}
        ok = True
    except Exception as exc:  # any failure is a fault to report, not to raise
        extra = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        ok = False
    return ok, {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1), **extra}


def _check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT PostGIS_Lib_Version()")
        return {"postgis": cursor.fetchone()[0]}


def _check_redis() -> dict:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return {}


def _check_celery() -> dict:
    from citymgmt.celery import app

    # limit=1: answer as soon as one worker replies instead of waiting out the timeout.
    replies = app.control.ping(timeout=settings.HEALTH_CELERY_TIMEOUT, limit=1)
    if not replies:
        raise RuntimeError("no Celery worker answered the ping")
    return {"workers": sorted(name for reply in replies for name in reply)}


def run_checks() -> dict:
    """Run every check; nothing is written (a probe must not skew the fault rate)."""
    db_ok, db = _timed(_check_database)
    redis_ok, red = _timed(_check_redis)
    # The worker ping travels through the broker: with Redis as broker a dead Redis answers for it at once.
    broker_down = not redis_ok and settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    celery_ok, cel = (False, {"ok": False, "error": "Redis is down"}) if broker_down else _timed(_check_celery)
    healthy = db_ok and redis_ok and celery_ok
    return {"status": "ok" if healthy else "fault", "database": db, "redis": red, "celery": cel}


def due_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def record_sample(due_at: datetime) -> dict:
    """Beat's sample for the minute *due_at*: run the checks and store them once for that minute. A sample taken
    more than ``HEALTH_SAMPLE_MAX_DELAY`` seconds after it was due is a fault (the platform could not sample on
    time; a backlog replayed after an outage must not pass for health)."""
    from core.models import HealthCheck

    due = due_minute(due_at)
    result = run_checks()
    lateness = (timezone.now() - due).total_seconds()
    result["due_at"] = due.isoformat()
    if lateness > settings.HEALTH_SAMPLE_MAX_DELAY:
        result["status"] = "fault"
        result["late_seconds"] = round(lateness)
    healthy = result["status"] == "ok"
    if not result["database"]["ok"]:
        logger.error("Health check fault with the database down: %s", result)
        return result
    try:
        HealthCheck.objects.bulk_create(
            [
                HealthCheck(
                    due_at=due,
                    database_ok=True,
                    redis_ok=result["redis"]["ok"],
                    celery_ok=result["celery"]["ok"],
                    healthy=healthy,
                    detail=result,
                )
            ],
            ignore_conflicts=True,  # this minute sampled already (a re-delivered task)
        )
    except Exception:
        logger.exception("Could not record the health check")
    return result
