"""API rate limits: one fixed-window counter per request, at the cost of one cache round trip.

Each request counts against exactly one bucket: the view's scope when it names one (``throttle_scope``, or
``throttle_scopes`` keyed by viewset action, e.g. intake), else ``user`` for an authenticated caller or ``anon``.
Scoped buckets are per user when authenticated and per address otherwise (the token endpoint). Rates come from
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (``"120/min"``; ``None`` switches a bucket off).

DRF's own ``SimpleRateThrottle`` keeps a list of timestamps (a GET and a SET per request, a growing pickle); on
the intake path (hundreds of reports a second) we pay one pipelined INCR + EXPIRE instead. Redis is a cache, not a
precondition: when the cache cannot be reached the request is let through and a warning logged.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

log = logging.getLogger(__name__)


def _scope(request, view) -> str:
    action = getattr(view, "action", None)
    scoped = (getattr(view, "throttle_scopes", None) or {}).get(action) or getattr(view, "throttle_scope", None)
    if scoped:
        return scoped
    return "user" if request.user and request.user.is_authenticated else "anon"


def _count(key: str, duration: int) -> int:
    """Increment the window's counter and return it: one round trip on Redis."""
    full_key = cache.make_and_validate_key(key)
    backend = getattr(cache, "_cache", None)
    if backend is not None and hasattr(backend, "get_client"):
        pipe = backend.get_client(full_key, write=True).pipeline(transaction=False)
        pipe.incr(full_key)
        pipe.expire(full_key, duration + 1)
        count, _ = pipe.execute()
        return int(count)
    cache.add(key, 0, duration + 1)
    return cache.incr(key)


class RequestRateThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        scope = _scope(request, view)
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
        if not rate:
            return True
        num_requests, duration = SimpleRateThrottle.parse_rate(None, rate)
        user = request.user
        ident = f"u{user.pk}" if user and user.is_authenticated else f"a{self.get_ident(request)}"
        now = time.time()
        window = int(now // duration)
        self._retry_after = (window + 1) * duration - now
        try:
            count = _count(f"throttle:{scope}:{ident}:{window}", duration)
        except Exception:  # any cache failure: the request goes through
            log.warning("rate limit not checked: the cache is unreachable", exc_info=True)
            return True
        return count <= num_requests

    def wait(self) -> float | None:
        return getattr(self, "_retry_after", None)


def over_limit(bucket: str, ident: str, rate: str | None) -> float | None:
    """Count one hit of *ident* (an address, a phone…) in *bucket* at *rate* (``"10/hour"``): the seconds to wait
    when over the limit, else None. For limits outside DRF views (the public report page). Like the API's, it lets
    the hit through when the cache cannot be reached."""
    if not rate:
        return None
    num_requests, duration = SimpleRateThrottle.parse_rate(None, rate)
    now = time.time()
    window = int(now // duration)
    try:
        count = _count(f"throttle:{bucket}:{ident}:{window}", duration)
    except Exception:  # any cache failure: the hit goes through
        log.warning("rate limit not checked: the cache is unreachable", exc_info=True)
        return None
    return (window + 1) * duration - now if count > num_requests else None
