"""Hotline and channel indicators: a contract the evaluation layer calls (bulletins, the self-evaluation).

Keep the signatures. Rates are percentages (0–100) as Decimal with two places, ``None`` when the denominator is 0.
Orders count when received in [start, end] (local dates, both inclusive)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from hotlines.choices import SATISFIED, OrderStatus
from hotlines.models import WorkOrder

TWO_PLACES = Decimal("0.01")


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz),
    )


def hotline_indicators(start: date, end: date, *, hotline: str | None = None, department_id: int | None = None) -> dict:
    """Orders received in [start, end] (of one hotline code and/or one handling department when given):
    counts and rates — on-time completion (completed on time / completed), reply (replied / orders), satisfaction
    (满意 + 基本满意 / visited), direct answers (answered directly / orders)."""
    low, high = _bounds(start, end)
    orders = WorkOrder.objects.filter(received_at__gte=low, received_at__lt=high)
    if hotline:
        orders = orders.filter(hotline__code=hotline)
    if department_id is not None:
        orders = orders.filter(department_id=department_id)
    completed = Q(status=OrderStatus.COMPLETED)
    figures = orders.aggregate(
        orders=Count("pk"),
        completed=Count("pk", filter=completed),
        completed_on_time=Count("pk", filter=completed & Q(completed_on_time=True)),
        replied=Count("pk", filter=Q(replied_at__isnull=False)),
        visited=Count("pk", filter=Q(visited_at__isnull=False) & ~Q(satisfaction="")),
        satisfied=Count("pk", filter=Q(visited_at__isnull=False, satisfaction__in=sorted(SATISFIED))),
        direct_answered=Count("pk", filter=Q(direct_answer=True)),
        send_backs=Sum("send_back_count"),
        redos=Sum("redo_count"),
    )
    figures["send_backs"] = figures["send_backs"] or 0
    figures["redos"] = figures["redos"] or 0
    return {
        "orders": figures["orders"],
        "completed": figures["completed"],
        "completed_on_time": figures["completed_on_time"],
        "ontime_completion_rate": _rate(figures["completed_on_time"], figures["completed"]),
        "replied": figures["replied"],
        "reply_rate": _rate(figures["replied"], figures["orders"]),
        "visited": figures["visited"],
        "satisfied": figures["satisfied"],
        "satisfaction_rate": _rate(figures["satisfied"], figures["visited"]),
        "direct_answered": figures["direct_answered"],
        "direct_answer_rate": _rate(figures["direct_answered"], figures["orders"]),
        "send_backs": figures["send_backs"],
        "redos": figures["redos"],
    }


def opinion_indicators(start: date, end: date) -> dict:
    """Online opinion (网络舆情) items submitted in [start, end]: how many, how many replied, and the reply rate
    (replied / submitted)."""
    from hotlines.models import OnlineOpinion

    low, high = _bounds(start, end)
    figures = OnlineOpinion.objects.filter(submitted_at__gte=low, submitted_at__lt=high).aggregate(
        opinions=Count("pk"), replied=Count("pk", filter=Q(replied_at__isnull=False))
    )
    return {**figures, "reply_rate": _rate(figures["replied"], figures["opinions"])}


def channel_indicators(start: date, end: date) -> dict[str, dict[str, int]]:
    """Per case source (every intake channel, zeros included): cases reported (received in [start, end]), of those
    registered (立案), and of those closed (结案)."""
    from cases.choices import CaseSource, CaseStatus
    from cases.models import Case

    low, high = _bounds(start, end)
    rows = (
        Case.objects.filter(received_at__gte=low, received_at__lt=high)
        .values("source")
        .annotate(
            reported=Count("pk"),
            registered=Count("pk", filter=Q(registered_at__isnull=False)),
            closed=Count("pk", filter=Q(status=CaseStatus.CLOSED)),
        )
    )
    result = {source: {"reported": 0, "registered": 0, "closed": 0} for source in CaseSource.values}
    for row in rows:
        result[row["source"]] = {"reported": row["reported"], "registered": row["registered"], "closed": row["closed"]}
    return result
