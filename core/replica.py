"""Reads from a streaming replica for the heavy read-only pages, without ever showing a user stale data of their own.

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database alias. Reports, exports, bulletins and the
big screen are marked ``@reads_replica`` (or run inside ``with replica_reads():``, e.g. in a task): their queries go
to the replica, every write and everything else to the primary (``default``). A user who wrote (any unsafe request
that succeeded) reads the primary for ``REPLICA_STICKY_SECONDS`` afterwards, however they come back: a cookie for
the browser, a cache key per user for API clients (the replica may lag a moment behind the primary; this is "read
your own writes"). Without ``DATABASE_REPLICA_URL`` nothing changes: every query uses ``default``.

Authentication happens before the switch (the session or token just written on the primary may not have reached
the replica yet), and a streamed response keeps reading the replica while it streams.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connections

REPLICA = "replica"
COOKIE = "cm_primary_until"
_reading: ContextVar[bool] = ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def _cache_key(user_id: int) -> str:
    return f"replica:wrote:{user_id}"


def wrote_recently(request) -> bool:
    """Did this user (or this browser) write within the last ``REPLICA_STICKY_SECONDS``?"""
    try:
        if float(request.COOKIES.get(COOKIE, "0")) > time.time():
            return True
    except ValueError:
        pass
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(cache.get(_cache_key(user.pk)))
    return False


def remember_write(request, response) -> None:
    """After a successful unsafe request: this user reads the primary for the next few seconds."""
    seconds = settings.REPLICA_STICKY_SECONDS
    response.set_cookie(COOKIE, f"{time.time() + seconds:.3f}", max_age=seconds, httponly=True, samesite="Lax")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        cache.set(_cache_key(user.pk), 1, seconds)


class ReplicaStickinessMiddleware:
    """Marks the users who just wrote (only when a replica is configured; a no-op otherwise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if replica_configured() and request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400:
            remember_write(request, response)
        return response


@contextmanager
def replica_reads(enabled: bool = True) -> Iterator[bool]:
    """Route this block's reads to the replica (when one is configured and *enabled*); yields whether it does."""
    active = enabled and replica_configured()
    token = _reading.set(active)
    try:
        yield active
    finally:
        _reading.reset(token)


def _streamed(content, enabled: bool):
    with replica_reads(enabled):
        yield from content


def reads_replica(view):
    """For a read-only view (a function view, or a method of a class view taking the request first): its queries
    go to the replica unless the user wrote within the last few seconds."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        request = args[0] if hasattr(args[0], "META") else args[1]
        # Load the user (session or token) from the primary before switching; then decide.
        enabled = request.method in ("GET", "HEAD") and replica_configured() and not wrote_recently(request)
        with replica_reads(enabled) as active:
            response = view(*args, **kwargs)
        if active and getattr(response, "streaming", False):
            response.streaming_content = _streamed(response.streaming_content, enabled)
        return response

    return wrapper


class ReplicaRouter:
    """Reads go to the replica inside ``replica_reads``; everything else, and every write, to the primary."""

    def db_for_read(self, model, **hints):
        return REPLICA if _reading.get() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaReadsMixin:
    """For a DRF view: once the caller is authenticated and allowed (from the primary), a GET reads the replica."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        enabled = request.method in ("GET", "HEAD") and replica_configured() and not wrote_recently(request)
        self._replica_token = _reading.set(enabled)

    def finalize_response(self, request, response, *args, **kwargs):
        token = getattr(self, "_replica_token", None)
        if token is not None:
            _reading.reset(token)
            self._replica_token = None
        return super().finalize_response(request, response, *args, **kwargs)
