"""Taking in a collector's positions (巡查轨迹上报).

The app sends its position every ``PATROL_INTERVAL_SECONDS`` while the collector is on duty, in batches (at most
``MAX_POINTS``), and resends a batch whose answer it did not get. ``ingest`` checks every point before anything is
written (a bad point is a 400 naming ``points[i].field``; nothing of the batch is stored), creates the day partitions
the batch needs and writes the batch in one INSERT … ON CONFLICT DO NOTHING: a point already stored (same collector
and instant) is skipped, so a resent batch stores nothing twice.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg2.extras import execute_values

from core.sanitize import parse_client_time
from grids.patrol import partitions

MAX_POINTS = 1000


class BadPoints(ValueError):
    """What is wrong with a batch, by field: ``{"points": [...]}`` or ``{"points[3]": {"lat": [...]}}``."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


MAX_ACCURACY_M = 10_000.0


def max_age() -> timedelta:
    return timedelta(days=settings.PATROL_MAX_AGE_DAYS)


def _number(raw, low: float, high: float) -> float:
    if isinstance(raw, bool) or raw is None or raw == "":
        raise ValueError(_("A number is required."))
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(_("A number is required.")) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(_("Must be between %(low)s and %(high)s.") % {"low": low, "high": high})
    return value


def _point(raw, now: datetime) -> tuple[tuple, dict]:
    if not isinstance(raw, dict):
        return (), {"non_field_errors": [_("Each point is an object with at, lat and lng.")]}
    errors: dict[str, list[str]] = {}
    values = {}
    for field, parse in (
        ("at", lambda v: parse_client_time(v, now=now)),
        ("lat", lambda v: _number(v, -90, 90)),
        ("lng", lambda v: _number(v, -180, 180)),
        ("accuracy", lambda v: None if v in (None, "") else _number(v, 0, MAX_ACCURACY_M)),
    ):
        try:
            values[field] = parse(raw.get(field))
        except ValueError as exc:
            errors[field] = [str(exc)]
    if "at" in values and values["at"] < now - max_age():
        errors["at"] = [_("Older than %(days)d days: not kept.") % {"days": settings.PATROL_MAX_AGE_DAYS}]
    if errors:
        return (), errors
    return (values["at"], values["lng"], values["lat"], values["accuracy"]), {}


def ingest(collector, points, *, now: datetime | None = None) -> dict:
    """Store a batch of the collector's own positions; {"received": n, "stored": new ones}."""
    if not collector.has_perm("grids.report_track"):
        raise PermissionDenied(_("Your role does not send a patrol track."))
    if not isinstance(points, list) or not points:
        raise BadPoints({"points": [_("A non-empty list of points is required.")]})
    if len(points) > MAX_POINTS:
        raise BadPoints({"points": [_("At most %(max)d points per batch.") % {"max": MAX_POINTS}]})
    now = now or timezone.now()
    rows, errors = [], {}
    for index, raw in enumerate(points):
        row, problems = _point(raw, now)
        if problems:
            errors[f"points[{index}]"] = problems
        else:
            rows.append((collector.pk, *row, now))
    if errors:
        raise BadPoints(errors)
    rows = list({(r[0], r[1]): r for r in rows}.values())  # one position per instant, the last one sent
    with transaction.atomic():
        partitions.ensure({partitions.day_of(r[1]) for r in rows})
        with connection.cursor() as cursor:
            stored = execute_values(
                cursor.cursor,
                """INSERT INTO grids_trackpoint (collector_id, recorded_at, location, accuracy, received_at)
                   SELECT v.c, v.t, ST_SetSRID(ST_MakePoint(v.x, v.y), 4326), v.a, v.r
                   FROM (VALUES %s) AS v (c, t, x, y, a, r)
                   ON CONFLICT DO NOTHING RETURNING 1""",
                rows,
                template="(%s::bigint, %s::timestamptz, %s::float8, %s::float8, %s::float8, %s::timestamptz)",
                page_size=MAX_POINTS,
                fetch=True,
            )
    return {"received": len(points), "stored": len(stored)}
