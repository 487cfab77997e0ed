"""Keeping the hotspot counts (evaluation.models.hotspots) right, the way the rollups are kept.

- ``sync()`` (beat, with ``evaluation.tasks.sync_facts`` every 15 s): today's rows recomputed from the cases received
  today (and yesterday's in the first minutes after midnight), and the month rows of the month just ended once. New
  reports never touch this on their hot path, as with the rollups.
- ``on_transition`` (a ``cases.timeline.after_transition`` listener): a case that stops counting (not accepted, not
  registered, merged, cancelled) has its cell and grid of its day recomputed, and the month rows of that cell when
  the day lies in a complete month. Recomputing from the cases (never ±1) keeps a repeated call harmless.
- ``rebuild()`` (``manage.py rebuild_hotspots``, the demo city, and nightly after a full rollup rebuild):
  everything from scratch; ``rebuild_months(months)`` (nightly, with the rollups' incremental rebuild): the day and
  month rows of the months whose cases changed, the same counts for those months.

Cells: ``x = floor(mercator_x / CELL)``, ``y = floor(mercator_y / CELL)`` with CELL = 1/16 of a zoom-14 tile. The
Mercator coordinates are computed with the spherical formula in SQL (what EPSG:3857 is) rather than ST_Transform,
which is several times slower over millions of points.
"""

from __future__ import annotations

import calendar
import math
import time
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

HEAT = "evaluation_heatcell"
HOTSPOT = "evaluation_hotspotday"
EARTH_RADIUS = 6378137.0
WORLD = 2 * math.pi * EARTH_RADIUS
BASE_LEVEL = 18  # cells are tiles of zoom 18 = 1/16 of a zoom-14 tile
CELL = WORLD / 2**BASE_LEVEL  # 152.874 m of Web-Mercator
NOT_COUNTED = ("rejected", "refused", "merged", "cancelled")
COUNTED = f"c.status NOT IN ({', '.join(repr(s) for s in NOT_COUNTED)})"

_MX = f"({EARTH_RADIUS} * radians(ST_X(c.location)))"
_MY = f"({EARTH_RADIUS} * ln(tan(pi() / 4 + radians(ST_Y(c.location)) / 2)))"
CELL_X = f"floor({_MX} / {CELL})::int"
CELL_Y = f"floor({_MY} / {CELL})::int"


def _day_sql() -> str:
    return f"(c.received_at AT TIME ZONE '{settings.TIME_ZONE}')::date"


def local_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    low = timezone.make_aware(datetime.combine(first, datetime.min.time()), tz)
    if last == date.max:  # no day after 31 December 9999: the last moment there is
        return low, timezone.make_aware(datetime.max, tz)
    high = timezone.make_aware(datetime.combine(last + timedelta(days=1), datetime.min.time()), tz)
    return low, high


def _heat_insert(where: str) -> str:
    """Day rows of the cases matching *where* (over ``c``), in the four grains of detail, in one scan."""
    return f"""
        INSERT INTO {HEAT} (grain, period, class_id, source, x, y, cases)
        SELECT 0, day, COALESCE(class_id, 0), COALESCE(source, ''), x, y, count(*)
        FROM (SELECT {_day_sql()} AS day, c.minor_class_id AS class_id, c.source, {CELL_X} AS x, {CELL_Y} AS y
              FROM cases_case c WHERE {COUNTED} AND {where}) f
        GROUP BY GROUPING SETS (
            (day, x, y), (day, x, y, class_id), (day, x, y, source), (day, x, y, class_id, source))"""


def _hotspot_insert(
    where: str, sets: str = "((day, grid_code, class_id, source), (day, grid_code), (day, class_id))", having: str = ""
) -> str:
    """Per day: every (grid, class, channel) — recurring problems, filtered rankings —, and the totals per grid
    (class 0, channel '') and per class (grid '', channel ''), so an unfiltered ranking reads one row per grid or
    class and day."""
    return f"""
        INSERT INTO {HOTSPOT} (day, grid_code, class_id, source, cases)
        SELECT day, COALESCE(grid_code, ''), COALESCE(class_id, 0), COALESCE(source, ''), count(*)
        FROM (SELECT {_day_sql()} AS day, c.grid_code, c.minor_class_id AS class_id, c.source
              FROM cases_case c WHERE {COUNTED} AND {where}) f
        GROUP BY GROUPING SETS {sets} {having}"""


def _month_insert(where: str = "true") -> str:
    """Month rows (grain 1) summed from the day rows of complete months matching *where* (over ``h``)."""
    return f"""
        INSERT INTO {HEAT} (grain, period, class_id, source, x, y, cases)
        SELECT 1, date_trunc('month', h.period)::date, h.class_id, h.source, h.x, h.y, sum(h.cases)
        FROM {HEAT} h WHERE h.grain = 0 AND {where}
        GROUP BY 2, 3, 4, 5, 6"""


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    """The last day of *month*'s month."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def current_month() -> date:
    return month_start(timezone.localdate())


def refresh_days(first: date, last: date) -> None:
    """Recompute the day rows of [first, last] from the cases."""
    low, high = local_bounds(first, last)
    window = "c.received_at >= %(low)s AND c.received_at < %(high)s"
    params = {"low": low, "high": high, "first": first, "last": last}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {HEAT} WHERE grain = 0 AND period BETWEEN %(first)s AND %(last)s", params)
        cursor.execute(_heat_insert(window), params)
        cursor.execute(f"DELETE FROM {HOTSPOT} WHERE day BETWEEN %(first)s AND %(last)s", params)
        cursor.execute(_hotspot_insert(window), params)


def ensure_month(month: date) -> bool:
    """Write the month rows of a complete month if it has none (idempotent). True when written."""
    return month < current_month() and _write_month(month, replace=False)


def _write_month(month: date, *, replace: bool) -> bool:
    """The month rows (grain 1) of a complete month, summed from its day rows, under the month writers' lock: only if
    it has none, or (*replace*) instead of those it has. True when rows were written."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(6060602, 1)")
        if replace:
            cursor.execute(f"DELETE FROM {HEAT} WHERE grain = 1 AND period = %s", [month])
        else:
            cursor.execute(
                f"SELECT 1 FROM {HEAT} WHERE grain = 1 AND class_id = 0 AND source = '' AND period = %s LIMIT 1",
                [month],
            )
            if cursor.fetchone():
                return False
        cursor.execute(_month_insert("h.period BETWEEN %s AND %s"), [month, month_end(month)])
        return cursor.rowcount > 0


def sync() -> None:
    """Today's rows (and yesterday's in the first ten minutes of a day), and last month's month rows once."""
    now = timezone.localtime()
    today = now.date()
    first = today - timedelta(days=1) if now.hour == 0 and now.minute < 10 else today
    refresh_days(first, today)
    last_month = month_start(month_start(today) - timedelta(days=1))
    ensure_month(last_month)


def refresh_case(case_id: int) -> None:
    """Recompute the counts a case belongs to (its cell and grid on its day; the month rows of that cell when the
    month is complete): after it stopped counting. Idempotent."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_day_sql()}, {CELL_X}, {CELL_Y}, c.grid_code, c.minor_class_id FROM cases_case c WHERE c.id = %s",
            [case_id],
        )
        row = cursor.fetchone()
    if row is None:
        return
    day, x, y, grid_code, class_id = row
    low, high = local_bounds(day, day)
    params = {"low": low, "high": high, "day": day, "x": x, "y": y, "grid": grid_code, "class_id": class_id}
    window = "c.received_at >= %(low)s AND c.received_at < %(high)s"
    in_cell = f"{CELL_X} = %(x)s AND {CELL_Y} = %(y)s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {HEAT} WHERE grain = 0 AND period = %(day)s AND x = %(x)s AND y = %(y)s", params)
        cursor.execute(_heat_insert(f"{window} AND {in_cell}"), params)
        cursor.execute(f"DELETE FROM {HOTSPOT} WHERE day = %(day)s AND grid_code = %(grid)s", params)
        cursor.execute(
            _hotspot_insert(
                f"{window} AND c.grid_code = %(grid)s", "((day, grid_code, class_id, source), (day, grid_code))"
            ),
            params,
        )
        cursor.execute(
            f"DELETE FROM {HOTSPOT} WHERE day = %(day)s AND grid_code = '' AND class_id = %(class_id)s", params
        )
        cursor.execute(  # the class total only (GROUPING = 3: grid and channel rolled up)
            _hotspot_insert(
                f"{window} AND c.minor_class_id = %(class_id)s",
                "((day, class_id), (day, grid_code, class_id, source))",
                "HAVING GROUPING(grid_code, source) = 3",
            ),
            params,
        )
        month = month_start(day)
        if month < current_month():
            end = month_end(month)
            params.update(month=month, end=end)
            cursor.execute(
                f"DELETE FROM {HEAT} WHERE grain = 1 AND period = %(month)s AND x = %(x)s AND y = %(y)s", params
            )
            cursor.execute(
                _month_insert("h.period BETWEEN %(month)s AND %(end)s AND h.x = %(x)s AND h.y = %(y)s"), params
            )


def on_transition(case_id: int, event_id: int) -> None:
    """The ``cases.timeline.after_transition`` listener: only a case that stopped counting changes the counts."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT status FROM cases_case WHERE id = %s", [case_id])
        row = cursor.fetchone()
    if row and row[0] in NOT_COUNTED:
        refresh_case(case_id)


def rebuild(*, verbose: bool = False) -> dict[str, float]:
    """Every hotspot count from scratch (one scan of the cases per table), in one transaction."""
    timings: dict[str, float] = {}
    steps = [
        ("truncate", f"TRUNCATE {HEAT}, {HOTSPOT}"),
        ("heat_days", _heat_insert("true")),
        ("heat_months", _month_insert("h.period < %(current)s")),
        ("hotspot_days", _hotspot_insert("true")),
        ("analyze", f"ANALYZE {HEAT}; ANALYZE {HOTSPOT}"),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '256MB'")
        for name, sql in steps:
            started = time.perf_counter()
            cursor.execute(sql, {"current": current_month()} if "%(current)s" in sql else None)
            timings[name] = time.perf_counter() - started
            if verbose:
                print(f"  {name}: {timings[name]:.1f} s")
    return timings


def rebuild_months(months: list[date]) -> dict[str, float]:
    """The day rows of each month in *months* (first days) recomputed from the cases, and its month rows from them
    when the month is complete: what ``rebuild`` would write for those months. Each month in its own transaction."""
    timings = {"heat_days": 0.0, "heat_months": 0.0}
    for month in months:
        started = time.perf_counter()
        refresh_days(month, month_end(month))  # its heat cells and hotspot rows, day by day
        timings["heat_days"] += time.perf_counter() - started
        if month < current_month():
            started = time.perf_counter()
            _write_month(month, replace=True)
            timings["heat_months"] += time.perf_counter() - started
    return timings
