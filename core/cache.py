"""A Redis cache that is only ever a cache: with Redis down, reads miss and writes are skipped, nothing raises.

Configured as the default cache in settings (``CACHES``). Every caller already has to cope with a miss, so a
dead Redis must look like an empty one: the platform keeps taking reports and actions (design.md: "Redis is a
cache; losing it loses no write and stops no write").

Short socket timeouts keep a blackholed Redis from costing more than a fraction of a second, and after one
failure the backend does not try Redis again for ``RETRY_AFTER`` seconds (default 2), so a request with many cache
calls pays for at most one timeout. The outage is logged as a warning at most once a minute per process.
"""

from __future__ import annotations

import functools
import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

WARN_EVERY_SECONDS = 60.0
FAULTS = (RedisError, OSError)


def _tolerant(default_factory):
    """Run the wrapped call against Redis unless it is known to be down; on a Redis fault return the default."""

    def wrap(method):
        @functools.wraps(method)
        def call(self, *args, **kwargs):
            if self._down_until > time.monotonic():
                return default_factory(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except FAULTS as exc:
                self._note_fault(exc)
                return default_factory(*args, **kwargs)

        return call

    return wrap


def _none(*_args, **_kwargs):
    return None


def _false(*_args, **_kwargs):
    return False


def _get_default(key, default=None, version=None):
    return default


def _empty(*_args, **_kwargs):
    return {}


def _keys_failed(data, *_args, **_kwargs):
    return list(data)  # set_many's contract: the keys that could not be stored


def _incr_default(key, delta=1, version=None):
    return delta


class TolerantRedisCache(RedisCache):
    """Django's ``RedisCache`` whose calls survive a Redis outage (see the module docstring)."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", 2.0))
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, {**params, "OPTIONS": options})
        self._down_until = 0.0
        self._warned_at = -WARN_EVERY_SECONDS
        self._lock = threading.Lock()

    def _note_fault(self, exc: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self._down_until = now + self.retry_after
            warn = now - self._warned_at >= WARN_EVERY_SECONDS
            if warn:
                self._warned_at = now
        if warn:
            logger.warning("Redis cache unavailable, working without it: %s: %s", type(exc).__name__, exc)

    @_tolerant(_false)
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().add(key, value, timeout, version)

    @_tolerant(_get_default)
    def get(self, key, default=None, version=None):
        return super().get(key, default, version)

    @_tolerant(_none)
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set(key, value, timeout, version)

    @_tolerant(_false)
    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return super().touch(key, timeout, version)

    @_tolerant(_false)
    def delete(self, key, version=None):
        return super().delete(key, version)

    @_tolerant(_empty)
    def get_many(self, keys, version=None):
        return super().get_many(keys, version)

    @_tolerant(_false)
    def has_key(self, key, version=None):
        return super().has_key(key, version)

    @_tolerant(_incr_default)
    def incr(self, key, delta=1, version=None):
        return super().incr(key, delta, version)

    @_tolerant(_keys_failed)
    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set_many(data, timeout, version)

    @_tolerant(_none)
    def delete_many(self, keys, version=None):
        return super().delete_many(keys, version)

    @_tolerant(_false)
    def clear(self):
        return super().clear()
