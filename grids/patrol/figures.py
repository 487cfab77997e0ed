"""Presence figures per collector and shift (在岗率、巡查里程、巡查网格、信号中断).

For a shift on a day, over the window [start, end) (or until now for the shift under way):

- *time inside* (在岗时长): the sum of the intervals between consecutive positions both inside the collector's duty
  grids, counting only intervals no longer than ``PATROL_GAP_MINUTES`` — longer ones are gaps, where nobody knows
  where the collector was; *在岗率* is that time over the window's length;
- *distance* (巡查里程): the geodesic length of the track, again without the jumps across gaps;
- *grids visited*: the current unit grids any position falls in;
- *gaps* (信号中断): every stretch longer than the limit without a position, including the start and the end of the
  window.

Everything is one query over one day's partition(s) for all the collectors asked for, plus one for the grids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from grids.patrol.models import PatrolShift
from grids.patrol.partitions import CHINA


def duty_areas(where: str = "TRUE") -> str:
    """SQL of the CTE ``duty``: each collector's duty area (the union of their active duty grids' unit grids)."""
    return f"""duty AS (
    SELECT dc.user_id AS collector_id, ST_Union(g.geometry) AS geom
    FROM grids_dutygrid_collectors dc
    JOIN grids_dutygrid d ON d.id = dc.dutygrid_id AND d.is_active
    JOIN grids_dutygrid_unit_grids du ON du.dutygrid_id = d.id
    JOIN grids_unitgrid g ON g.id = du.unitgrid_id
    WHERE {where}
    GROUP BY dc.user_id
)"""


_STEPS_SQL = f"""
WITH {duty_areas("dc.user_id = ANY(%(ids)s)")}, pts AS (
    SELECT p.collector_id, p.recorded_at AS t, p.location,
           COALESCE(ST_Covers(duty.geom, p.location), false) AS inside
    FROM grids_trackpoint p LEFT JOIN duty USING (collector_id)
    WHERE p.collector_id = ANY(%(ids)s) AND p.recorded_at >= %(start)s AND p.recorded_at < %(end)s
), steps AS (
    SELECT collector_id, t, location, inside,
           lag(t) OVER w AS pt, lag(location) OVER w AS ploc, lag(inside) OVER w AS pinside
    FROM pts WINDOW w AS (PARTITION BY collector_id ORDER BY t)
)
SELECT collector_id, count(*), min(t), max(t),
       COALESCE(sum(extract(epoch FROM t - pt)) FILTER (WHERE t - pt <= %(gap)s AND inside AND pinside), 0),
       COALESCE(sum(ST_Distance(ploc::geography, location::geography)) FILTER (WHERE t - pt <= %(gap)s), 0),
       COALESCE(array_agg(pt ORDER BY t) FILTER (WHERE t - pt > %(gap)s), '{{}}'),
       COALESCE(array_agg(t ORDER BY t) FILTER (WHERE t - pt > %(gap)s), '{{}}')
FROM steps GROUP BY collector_id
"""

_GRIDS_SQL = """
SELECT p.collector_id, array_agg(DISTINCT g.code ORDER BY g.code)
FROM grids_trackpoint p JOIN grids_unitgrid g ON g.valid_to IS NULL AND ST_Covers(g.geometry, p.location)
WHERE p.collector_id = ANY(%(ids)s) AND p.recorded_at >= %(start)s AND p.recorded_at < %(end)s
GROUP BY p.collector_id
"""


@dataclass
class ShiftFigures:
    collector_id: int
    start: datetime
    end: datetime
    points: int = 0
    inside_seconds: float = 0.0
    distance_m: float = 0.0
    grids: list[str] = field(default_factory=list)
    gaps: list[tuple[datetime, datetime]] = field(default_factory=list)

    @property
    def window_seconds(self) -> float:
        return max((self.end - self.start).total_seconds(), 0.0)

    @property
    def presence_rate(self) -> float | None:
        """在岗率 in percent, None before the shift has begun."""
        return round(100 * self.inside_seconds / self.window_seconds, 1) if self.window_seconds else None

    def as_dict(self) -> dict:
        return {
            "collector": self.collector_id,
            "start": self.start,
            "end": self.end,
            "points": self.points,
            "inside_minutes": round(self.inside_seconds / 60, 1),
            "presence_rate": self.presence_rate,
            "distance_km": round(self.distance_m / 1000, 2),
            "grids_visited": len(self.grids),
            "grids": self.grids,
            "gaps": [{"from": a, "to": b, "minutes": round((b - a).total_seconds() / 60, 1)} for a, b in self.gaps],
        }


def shift_window(shift: PatrolShift, day: date) -> tuple[datetime, datetime]:
    """The shift's start and end on *day* (China time); a shift that ends at or before it starts ends next day."""
    start = datetime.combine(day, shift.starts, CHINA)
    end = datetime.combine(day, shift.ends, CHINA)
    if end <= start:
        end += timedelta(days=1)
    return start, end


def whole_day(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), CHINA)
    return start, start + timedelta(days=1)


def figures(collector_ids: list[int], start: datetime, end: datetime, *, now: datetime | None = None) -> dict:
    """{collector id: ShiftFigures} for the window, cut at *now* while it is under way."""
    now = now or timezone.now()
    end = min(end, max(now, start))
    gap = timedelta(minutes=settings.PATROL_GAP_MINUTES)
    result = {pk: ShiftFigures(pk, start, end) for pk in collector_ids}
    if not collector_ids or end <= start:
        return result
    params = {"ids": list(collector_ids), "start": start, "end": end, "gap": gap}
    with connection.cursor() as cursor:
        cursor.execute(_STEPS_SQL, params)
        for pk, count, first, last, inside, distance, gap_starts, gap_ends in cursor.fetchall():
            row = result[pk]
            row.points, row.inside_seconds, row.distance_m = count, float(inside), float(distance)
            row.gaps = list(zip(gap_starts, gap_ends, strict=True))
            if first - start > gap:
                row.gaps.insert(0, (start, first))
            if end - last > gap:
                row.gaps.append((last, end))
        cursor.execute(_GRIDS_SQL, params)
        for pk, codes in cursor.fetchall():
            result[pk].grids = codes
    for row in result.values():
        if not row.points and row.window_seconds > gap.total_seconds():
            row.gaps = [(start, end)]
    return result
