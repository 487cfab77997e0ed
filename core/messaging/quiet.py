"""Quiet hours (免打扰时段): a daily window in the site's time zone, e.g. 22:00–07:00, crossing midnight or not.

A message that is not urgent and falls inside a window that applies to it (its rule's, its recipient's) is held
until the window ends; the sweeper then queues it again and the check is made afresh.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.utils import timezone

Window = tuple[time | None, time | None]


def contains(moment: datetime, start: time, end: time) -> bool:
    now = timezone.localtime(moment).time().replace(tzinfo=None)
    if start == end:
        return False  # an empty window (a full day of silence is not a thing we offer)
    if start < end:
        return start <= now < end
    return now >= start or now < end  # across midnight


def ends_at(moment: datetime, start: time, end: time) -> datetime:
    """The first instant after *moment* at which a window containing it is over."""
    local = timezone.localtime(moment)
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate


def held_until(moment: datetime, windows: Iterable[Window]) -> datetime | None:
    """When the latest of the windows containing *moment* ends, or None when none does."""
    ends = [ends_at(moment, s, e) for s, e in windows if s is not None and e is not None and contains(moment, s, e)]
    return max(ends) if ends else None
