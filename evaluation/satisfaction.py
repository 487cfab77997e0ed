"""服务对象满意度: the satisfaction of the people served, over every channel that asks them (SERVICE_SATISFACTION in
``evaluation.indicators``).

- Citizens' reports (source ``public``) and web opinions (source ``online``): the case-level return visits
  (``cases.ReturnVisit``); a case asked again after 不满意 reopened it counts once, with its latest answer.
- Hotline orders: their own return visits (``hotlines.indicators.hotline_indicators``: visited, satisfied).

Counted by the case's or order's receipt date in [start, end] (local dates, both inclusive), like every other figure.
Rates are percentages with two places, ``None`` when nobody was asked."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from cases.choices import REVISITED_SOURCES, SATISFIED
from cases.models import ReturnVisit
from hotlines.indicators import hotline_indicators


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz),
    )


def service_satisfaction(start: date, end: date) -> dict:
    """{"public": {visited, satisfied, satisfaction_rate}, "online": {…}, "hotline": {…}, "total": {…}}."""
    low, high = _bounds(start, end)
    latest = (
        ReturnVisit.objects.filter(
            case__received_at__gte=low, case__received_at__lt=high, case__source__in=sorted(REVISITED_SOURCES)
        )
        .order_by("case_id", "-at", "-id")
        .distinct("case_id")
        .values_list("case__source", "satisfaction")
    )
    counts = {source: [0, 0] for source in ("public", "online")}
    for source, answer in latest:
        counts[source][0] += 1
        counts[source][1] += answer in SATISFIED
    hotline = hotline_indicators(start, end)
    counts["hotline"] = [hotline["visited"], hotline["satisfied"]]
    result = {
        channel: {"visited": visited, "satisfied": satisfied, "satisfaction_rate": _rate(satisfied, visited)}
        for channel, (visited, satisfied) in counts.items()
    }
    visited = sum(v for v, _s in counts.values())
    satisfied = sum(s for _v, s in counts.values())
    result["total"] = {"visited": visited, "satisfied": satisfied, "satisfaction_rate": _rate(satisfied, visited)}
    return result
