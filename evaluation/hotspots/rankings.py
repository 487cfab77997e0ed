"""Rankings of unit grids, communities and classes for a period, each with the change against the previous period
of the same length, and the recurring problems (高发问题): the same class in the same unit grid at least N times
within M days (``HOTSPOT_RECURRING_COUNT``, ``HOTSPOT_RECURRING_DAYS``; the page may ask for others).

Everything is summed from ``HotspotDay`` (one row per day × grid × class × channel that had cases), never from the
cases, except the case list of each recurring problem.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from evaluation.hotspots.aggregation import HOTSPOT, NOT_COUNTED, local_bounds
from evaluation.hotspots.filters import HotspotQuery

DIMENSIONS = {
    "grid": "h.grid_code",
    "community": "left(h.grid_code, 12)",
    "class": "h.class_id",
}


DETAIL = "h.grid_code <> '' AND h.class_id <> 0 AND h.source <> ''"  # rows of one (grid, class, channel)


def _counts(query: HotspotQuery, dimension: str) -> dict:
    where, params = ["h.day BETWEEN %(start)s AND %(end)s"], {"start": query.start, "end": query.end}
    if not query.class_id and not query.source:  # the totals rows: one per grid (or class) and day
        where.append(
            "h.class_id = 0 AND h.source = '' AND h.grid_code <> ''"
            if dimension != "class"
            else "h.grid_code = '' AND h.source = '' AND h.class_id <> 0"
        )
    else:
        where.append(DETAIL)
    if query.class_id:
        where.append("h.class_id = %(class_id)s")
        params["class_id"] = query.class_id
    if query.source:
        where.append("h.source = %(source)s")
        params["source"] = query.source
    key = DIMENSIONS[dimension]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key}, sum(h.cases) FROM {HOTSPOT} h WHERE {' AND '.join(where)} GROUP BY 1", params)
        return {row[0]: int(row[1]) for row in cursor.fetchall()}


def _names(dimension: str, keys) -> dict:
    from grids.models import MinorClass, Region, UnitGrid

    keys = list(keys)
    if dimension == "grid":
        return dict(UnitGrid.objects.filter(code__in=keys, valid_to__isnull=True).values_list("code", "name"))
    if dimension == "community":
        return dict(Region.objects.filter(code__in=keys).values_list("code", "name"))
    return {
        pk: f"{code} {name}"
        for pk, code, name in MinorClass.objects.filter(pk__in=keys).values_list("pk", "code", "name")
    }


def change_rate(current: int, previous: int) -> float | None:
    """(current − previous) / previous as a percentage; None where there was nothing before."""
    return None if previous == 0 else round((current - previous) * 100 / previous, 1)


def ranking(query: HotspotQuery, dimension: str, *, limit: int | None = 20) -> list[dict]:
    """Rows {rank, key, name, cases, previous, change, change_rate}, most cases first."""
    if dimension not in DIMENSIONS:
        raise ValidationError({"dimension": _("Unknown ranking.")})
    current = _counts(query, dimension)
    previous = _counts(query.previous(), dimension)
    ordered = sorted(current.items(), key=lambda item: (-item[1], str(item[0])))
    if limit:
        ordered = ordered[:limit]
    names = _names(dimension, [key for key, _n in ordered])
    rows = []
    for rank, (key, cases) in enumerate(ordered, start=1):
        before = previous.get(key, 0)
        rows.append(
            {
                "rank": rank,
                "key": key,
                "name": names.get(key, str(key)),
                "cases": cases,
                "previous": before,
                "change": cases - before,
                "change_rate": change_rate(cases, before),
            }
        )
    return rows


def recurring_settings(params=None) -> tuple[int, int]:
    """(N, M): at least N cases within M days; from the request (``n``, ``m``) or the settings."""
    count = int(getattr(settings, "HOTSPOT_RECURRING_COUNT", 3))
    days = int(getattr(settings, "HOTSPOT_RECURRING_DAYS", 7))
    errors = {}
    for field, low, high in (("n", 2, 1000), ("m", 1, 366)):
        raw = (params or {}).get(field) or ""
        if not raw:
            continue
        if not raw.strip().isdigit() or not low <= int(raw) <= high:
            errors[field] = _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        elif field == "n":
            count = int(raw)
        else:
            days = int(raw)
    if errors:
        raise ValidationError(errors)
    return count, days


def recurring(end: date, *, count: int, days: int, source: str = "", class_id: int = 0, limit: int = 200) -> list[dict]:
    """高发问题: (grid, class) pairs with at least *count* cases in the *days* days ending at *end*, most first, each
    with its cases (number, time, status, address) from the case table."""
    from cases.models import Case
    from grids.models import MinorClass, UnitGrid

    start = end - timedelta(days=days - 1)
    where, params = ["h.day BETWEEN %(start)s AND %(end)s", DETAIL], {"start": start, "end": end, "count": count}
    if source:
        where.append("h.source = %(source)s")
        params["source"] = source
    if class_id:
        where.append("h.class_id = %(class_id)s")
        params["class_id"] = class_id
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT h.grid_code, h.class_id, sum(h.cases) AS n FROM {HOTSPOT} h WHERE {' AND '.join(where)} "
            f"GROUP BY 1, 2 HAVING sum(h.cases) >= %(count)s ORDER BY n DESC, 1, 2 LIMIT {int(limit)}",
            params,
        )
        pairs = cursor.fetchall()
    if not pairs:
        return []
    grid_names = dict(
        UnitGrid.objects.filter(code__in={p[0] for p in pairs}, valid_to__isnull=True).values_list("code", "name")
    )
    classes = {m.pk: m for m in MinorClass.objects.filter(pk__in={p[1] for p in pairs})}
    low, high = local_bounds(start, end)
    rows = []
    for grid_code, class_id_, n in pairs:
        found = (
            Case.objects.filter(
                grid_code=grid_code, minor_class_id=class_id_, received_at__gte=low, received_at__lt=high
            )
            .exclude(status__in=NOT_COUNTED)
            .only("id", "case_no", "received_at", "status", "address")
            .order_by("-received_at", "-id")
        )
        if source:
            found = found.filter(source=source)
        cases = [
            {
                "id": case.pk,
                "case_no": case.case_no,
                "received_at": case.received_at,
                "status": case.status,
                "status_label": case.get_status_display(),
                "address": case.address,
            }
            for case in found
        ]
        klass = classes.get(class_id_)
        rows.append(
            {
                "grid_code": grid_code,
                "grid_name": grid_names.get(grid_code, ""),
                "class_id": class_id_,
                "class_name": f"{klass.code} {klass.name}" if klass else str(class_id_),
                "count": int(n),
                "cases": cases,
            }
        )
    return rows
