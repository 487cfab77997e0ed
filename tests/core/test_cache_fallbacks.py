"""The process-local copies behind the cache keep working when Redis is gone, and catch up within a bound."""

from __future__ import annotations

import logging
import time
from datetime import date

import pytest
from django.core.cache import cache

from core import worktime
from core.models import CalendarDay

pytestmark = pytest.mark.django_db
SATURDAY = date(2025, 6, 7)


def edit_elsewhere(is_workday: bool) -> None:
    """An edit made by another process: the table changes, this process's copy and the version key do not."""
    CalendarDay.objects.filter(date=SATURDAY).update(is_workday=is_workday)


def test_the_calendar_reloads_from_the_database_when_its_version_key_is_out_of_sight(private_redis, monkeypatch):
    monkeypatch.setattr(worktime, "_VERSION_CHECK_SECONDS", 0.0)
    worktime.invalidate_calendar()  # Redis up: the version key exists
    assert worktime.is_workday(SATURDAY) is False
    edit_elsewhere(True)
    assert worktime.is_workday(SATURDAY) is False  # Redis up: only a version bump reloads

    private_redis.kill()
    monkeypatch.setattr(worktime, "_BLIND_RELOAD_SECONDS", 0.5)
    worktime.is_workday(SATURDAY)  # the key vanished: that is a change, the copy reloads
    assert worktime.is_workday(SATURDAY) is True
    edit_elsewhere(False)
    assert worktime.is_workday(SATURDAY) is True  # within the bound the copy is kept ...
    time.sleep(0.6)
    assert worktime.is_workday(SATURDAY) is False  # ... after it, the database is read again


def test_the_tolerant_cache_misses_skips_and_warns_once(private_redis, caplog):
    cache.set("k", 1)
    private_redis.kill()
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        started = time.monotonic()
        assert cache.get("k") is None and cache.get("k", "default") == "default"
        assert cache.add("k", 2) is False and cache.set("k", 3) is None and cache.delete("k") is False
        assert cache.incr("k") == 1 and cache.get_many(["k"]) == {} and cache.set_many({"k": 1}) == ["k"]
        assert cache.get_or_set("k", 5) == 5
        assert time.monotonic() - started < 2
    assert len([r for r in caplog.records if r.name == "core.cache"]) == 1

    private_redis.start()
    cache.set("k", 4)
    assert cache.get("k") == 4  # back in use as soon as Redis answers (RETRY_AFTER is 0 here)


def test_taxonomy_answers_are_not_cached_without_a_version(private_redis, api_as, personas):
    from grids.taxonomy import taxonomy_version

    private_redis.kill()
    assert taxonomy_version() == 0
    assert api_as(personas["collector"]).get("/api/v1/taxonomy/").status_code in (200, 404)
