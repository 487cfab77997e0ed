"""Liveness of what the platform runs on: the database, Redis and at least one Celery worker."""

from __future__ import annotations

import logging
import time

import redis
from django.conf import settings
from django.db import connection

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


def run_checks(record: bool = True) -> dict:
    """Run every check; store the result as a ``HealthCheck`` row when the database is up."""
    db_ok, db = _timed(_check_database)
    redis_ok, red = _timed(_check_redis)
    celery_ok, cel = _timed(_check_celery) if redis_ok else (False, {"ok": False, "error": "Redis is down"})
    healthy = db_ok and redis_ok and celery_ok
    result = {"status": "ok" if healthy else "fault", "database": db, "redis": red, "celery": cel}
    if record and db_ok:
        from core.models import HealthCheck

        try:
            HealthCheck.objects.create(
                database_ok=db_ok, redis_ok=redis_ok, celery_ok=celery_ok, healthy=healthy, detail=result
            )
        except Exception:
            logger.exception("Could not record the health check")
    elif record:
        logger.error("Health check fault with the database down: %s", result)
    return result
