"""The taxonomy's cache version: a number in Redis that every edit bumps, so cached answers about classes and
conditions (``GET /api/v1/taxonomy/``, intake's class look-up) are dropped at once on every process."""

from __future__ import annotations

import time

from django.core.cache import cache

TAXONOMY_VERSION_KEY = "grids:taxonomy:version"


def taxonomy_version() -> int:
    """A number that changes on every taxonomy edit; cached API answers carry it in their key. 0 when Redis cannot
    be reached (the tolerant cache answers None): callers then answer from the database and cache nothing."""
    version = cache.get(TAXONOMY_VERSION_KEY)
    if version is None:
        # Start from the clock, not 1: if Redis drops the key, old answers under a small number must not come back.
        cache.add(TAXONOMY_VERSION_KEY, int(time.time() * 1000), timeout=None)
        version = cache.get(TAXONOMY_VERSION_KEY)
    return int(version or 0)


def invalidate_taxonomy_cache(**_signal_kwargs) -> None:
    try:
        cache.incr(TAXONOMY_VERSION_KEY)
    except ValueError:  # no version yet: nothing can be cached under one
        taxonomy_version()
