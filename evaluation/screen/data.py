"""What the big screen shows, as one JSON document polled every few seconds.

Live parts, read on every poll (small, indexed queries): the open cases for the map (the most recent
``CASE_LIMIT``, with their traffic lights), today's intake by channel, the overdue list. Slower-moving parts —
the month's stage funnel, department ranking, 30-day trend, hotline satisfaction and hotspot grids — come from the
rollups and hotspot counts and are cached in Redis for ``SUMMARY_SECONDS``; nothing here scans the case table.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

CASE_LIMIT = 1500
OVERDUE_LIMIT = 10
OVERDUE_STATUSES = ["dispatched", "disposing", "return_requested"]  # 超期未处置: overdue in disposal
RANKING_LIMIT = 10
HOTSPOT_LIMIT = 8
TREND_DAYS = 30
SUMMARY_SECONDS = 30
FUNNEL = [  # (measure of the rollups, label)
    ("reported", "上报"),
    ("accepted", "受理"),
    ("registered", "立案"),
    ("dispatched", "派遣"),
    ("disposed", "处置"),
    ("to_check", "核查"),
    ("closed", "结案"),
]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()), timezone.get_default_timezone())


def open_cases(now: datetime) -> dict:
    """The newest open cases. The ids come from the partial index of open cases (a narrow sort of the open ones
    only; ordering the whole table by time would walk back through every closed case); the rows come as plain
    values, and only the cases whose stage is still within its deadline are loaded as objects for the working-time
    traffic light — building 1,500 model instances costs more than every query of the page."""
    from cases.choices import TERMINAL_STATUSES, CaseStatus
    from cases.deadlines import STATUS_STAGE, traffic_light
    from cases.models import Case

    open_statuses = [s.value for s in CaseStatus if s not in TERMINAL_STATUSES]
    ids = list(
        Case.objects.filter(status__in=open_statuses)
        .order_by("-received_at", "-id")
        .values_list("id", flat=True)[: CASE_LIMIT + 1]
    )
    rows = list(
        Case.objects.filter(pk__in=ids[:CASE_LIMIT])
        .order_by("-received_at", "-id")
        .values_list("id", "case_no", "location", "status", "stage_deadline", "minor_class__name", "received_at")
    )
    lights: dict[int, str] = {}
    running = []
    for pk, _no, _location, status, deadline, _class, _at in rows:
        if not STATUS_STAGE.get(status) or deadline is None:
            lights[pk] = "none"
        elif deadline < now:
            lights[pk] = "red"  # past its deadline: red without asking the working calendar
        else:
            running.append(pk)
    for case in Case.objects.filter(pk__in=running).defer("short_grams", "description").prefetch_related("requests"):
        lights[case.pk] = traffic_light(case, now) or "none"
    cases = [
        {
            "id": pk,
            "no": number,
            "lng": round(location.x, 6),
            "lat": round(location.y, 6),
            "light": lights.get(pk, "none"),
            "class": class_name,
            "at": received.isoformat(),
        }
        for pk, number, location, _status, _deadline, class_name, received in rows
    ]
    return {"items": cases, "truncated": len(ids) > CASE_LIMIT}


def intake_today(today: date) -> list[dict]:
    from cases.choices import CaseSource
    from cases.models import Case

    counts = dict(
        Case.objects.filter(received_at__gte=_day_start(today))
        .order_by()
        .values("source")
        .annotate(n=Count("id"))
        .values_list("source", "n")
    )
    return [
        {"source": value, "label": str(label), "count": counts.get(value, 0)}
        for value, label in CaseSource.choices
        if counts.get(value, 0) or value in ("collector", "hotline_12345", "hotline_12319", "video")
    ]


def overdue_list(now: datetime) -> list[dict]:
    from cases.models import Case

    rows = (
        Case.objects.filter(is_overdue=True, status__in=OVERDUE_STATUSES)
        .select_related("minor_class", "department")
        .only("case_no", "disposal_deadline", "address", "minor_class__name", "department__name")
        .order_by("disposal_deadline", "id")[:OVERDUE_LIMIT]
    )
    return [
        {
            "id": case.pk,
            "no": case.case_no,
            "class": case.minor_class.name,
            "department": case.department.name if case.department_id else "",
            "deadline": timezone.localtime(case.disposal_deadline).strftime("%Y-%m-%d %H:%M")
            if case.disposal_deadline
            else "",
            "hours": round((now - case.disposal_deadline).total_seconds() / 3600, 1)
            if case.disposal_deadline
            else None,
        }
        for case in rows
    ]


def summary(today: date) -> dict:
    """The slower-moving parts, from the rollups (cached)."""
    from core.models import Department
    from evaluation.hotspots.filters import HotspotQuery
    from evaluation.hotspots.rankings import ranking
    from evaluation.indicators import by_department, weights
    from evaluation.models import DepartmentDay
    from hotlines.indicators import hotline_indicators

    month = today.replace(day=1)
    totals = DepartmentDay.objects.filter(day__range=(month, today)).aggregate(
        **{name: Sum(name) for name, _label in FUNNEL}
    )
    funnel = [{"stage": name, "label": label, "count": int(totals[name] or 0)} for name, label in FUNNEL]

    scheme = weights("department")
    departments = [(pk, figures) for pk, figures in by_department(month, today).items() if pk]
    names = dict(Department.objects.filter(pk__in=[pk for pk, _f in departments]).values_list("pk", "name"))
    ranked = []
    for pk, figures in departments:
        score = figures.score(scheme)
        if score is None:
            continue
        rate = figures.rate("ontime_disposal_rate")
        ranked.append(
            {
                "name": names.get(pk, str(pk)),
                "score": float(score),
                "ontime": float(rate) if rate is not None else None,
                "cases": figures.count("to_dispose"),
            }
        )
    ranked.sort(key=lambda r: (-r["score"], r["name"]))

    first = today - timedelta(days=TREND_DAYS - 1)
    per_day = {
        row["day"]: row
        for row in DepartmentDay.objects.filter(day__range=(first, today))
        .values("day")
        .annotate(reported=Sum("reported"), closed=Sum("closed"))
    }
    days = [first + timedelta(days=i) for i in range(TREND_DAYS)]
    trend = {
        "days": [d.strftime("%m-%d") for d in days],
        "reported": [int(per_day.get(d, {}).get("reported") or 0) for d in days],
        "closed": [int(per_day.get(d, {}).get("closed") or 0) for d in days],
    }

    hotline = hotline_indicators(today - timedelta(days=TREND_DAYS - 1), today)
    rate = hotline["satisfaction_rate"]
    query = HotspotQuery(today - timedelta(days=29), today)
    hotspots = [
        {"code": r["key"], "name": r["name"], "cases": r["cases"], "change": r["change"]}
        for r in ranking(query, "grid", limit=HOTSPOT_LIMIT)
    ]
    return {
        "funnel": funnel,
        "departments": ranked[:RANKING_LIMIT],
        "trend": trend,
        "hotline": {
            "orders": hotline["orders"],
            "visited": hotline["visited"],
            "satisfied": hotline["satisfied"],
            "satisfaction": float(rate) if rate is not None else None,
        },
        "hotspots": hotspots,
    }


def cached_summary(today: date) -> dict:
    key = f"screen:summary:{today.isoformat()}"
    try:
        value = cache.get(key)
    except Exception:  # a dead Redis is a miss (core/cache.py)
        value = None
    if value is None:
        value = summary(today)
        try:
            cache.set(key, value, SUMMARY_SECONDS)
        except Exception:
            pass
    return value


def screen_payload() -> dict:
    from cases.models import Case

    now = timezone.now()
    today = timezone.localdate(now)
    return {
        "now": timezone.localtime(now).strftime("%Y-%m-%d %H:%M:%S"),
        "title": _("City-management command centre"),
        "cases": open_cases(now),
        "intake": intake_today(today),
        "overdue": overdue_list(now),
        "overdue_total": Case.objects.filter(is_overdue=True, status__in=OVERDUE_STATUSES).count(),
        **cached_summary(today),
    }
