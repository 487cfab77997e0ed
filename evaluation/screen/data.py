"""What the big screen shows, as one JSON document polled every few seconds.

The panels — today's intake by channel, the month's stage funnel, department ranking, 30-day trend, hotline
satisfaction, hotspot grids and the overdue list — are computed by the scheduled task into one stored row
(``evaluation.stored_figures``, kind ``screen``) and read as it is; only the cases received after that row was
computed are counted live (an index range of a few seconds), so intake stays exact. The map's open cases come from
``evaluation.screen.layer``: whole once, then only what changed since the display's cursor.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

OVERDUE_LIMIT = 10
OVERDUE_STATUSES = ["dispatched", "disposing", "return_requested"]  # 超期未处置: overdue in disposal
RANKING_LIMIT = 10
HOTSPOT_LIMIT = 8
TREND_DAYS = 30
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


SHOWN_SOURCES = ("collector", "hotline_12345", "hotline_12319", "video")  # shown even at 0


def intake_counts(start: datetime, until: datetime | None = None, *, after: datetime | None = None) -> dict:
    """Cases received from ``start`` (up to and including ``until``, or after ``after``) per channel."""
    from cases.models import Case

    cases = Case.objects.filter(received_at__gte=start)
    if until is not None:
        cases = cases.filter(received_at__lte=until)
    if after is not None:
        cases = cases.filter(received_at__gt=after)
    return dict(cases.order_by().values("source").annotate(n=Count("id")).values_list("source", "n"))


def overdue_rows() -> tuple[list[dict], int]:
    from cases.models import Case

    overdue = Case.objects.filter(is_overdue=True, status__in=OVERDUE_STATUSES)
    rows = (
        overdue.select_related("minor_class", "department")
        .only("case_no", "disposal_deadline", "address", "minor_class__name", "department__name")
        .order_by("disposal_deadline", "id")[:OVERDUE_LIMIT]
    )
    listed = [
        {
            "id": case.pk,
            "no": case.case_no,
            "class": case.minor_class.name,
            "department": case.department.name if case.department_id else "",
            "deadline": case.disposal_deadline,
        }
        for case in rows
    ]
    return listed, overdue.count()


def slow_panels(today: date) -> dict:
    """The month's funnel, department ranking, 30-day trend, hotline satisfaction and hotspot grids (rollups)."""
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


def stored_panels(today: date) -> dict:
    """Kind ``screen`` of the stored figures: every panel of ``today``, intake counted up to ``until``."""
    now = timezone.now()
    until = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as stored (JSON keeps milliseconds)
    overdue, overdue_total = overdue_rows()
    return {
        "until": until,
        "intake": intake_counts(_day_start(today), until),
        "overdue": overdue,
        "overdue_total": overdue_total,
        **slow_panels(today),
    }


def stored_layer() -> dict:
    """Kind ``screen_layer`` of the stored figures."""
    from evaluation.screen.layer import whole_layer

    return whole_layer()


def _intake_rows(counts: dict) -> list[dict]:
    from cases.choices import CaseSource

    return [
        {"source": value, "label": str(label), "count": counts.get(value, 0)}
        for value, label in CaseSource.choices
        if counts.get(value, 0) or value in SHOWN_SOURCES
    ]


def _overdue_rows(rows: list[dict], now: datetime) -> list[dict]:
    shown = []
    for row in rows:
        deadline = datetime.fromisoformat(row["deadline"]) if row["deadline"] else None
        shown.append(
            {
                **{k: v for k, v in row.items() if k != "deadline"},
                "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M") if deadline else "",
                "hours": round((now - deadline).total_seconds() / 3600, 1) if deadline else None,
            }
        )
    return shown


class BadCursor(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def parse_cursor(params, name: str) -> int | None:
    """A cursor parameter: milliseconds since the epoch (None when absent)."""
    value = params.get(name)
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadCursor(name, _("Expected the cursor of a previous answer (a whole number).")) from None
    if not 0 <= number < 10**14:
        raise BadCursor(name, _("Expected the cursor of a previous answer (a whole number)."))
    return number


def screen_payload(since: int | None = None, layer_seen: int | None = None) -> dict:
    """The document of one poll. ``since``: the ``cursor`` of the display's previous answer (only changed cases are
    sent); ``layer_seen``: the ``cases.layer`` it holds (a newer stored layer's lights are added)."""
    from evaluation import stored_figures
    from evaluation.screen import layer as open_layer

    now = timezone.now()
    today = timezone.localdate(now)
    # The display's layer time is in whole milliseconds: a row is newer from the next millisecond on.
    seen = open_layer.from_epoch_ms(layer_seen + 1) if layer_seen is not None else None
    panels, layer_at, newer = stored_figures.read_with("screen", "screen_layer", today, seen, ["lights", "truncated"])
    panels = panels.data
    until = datetime.fromisoformat(panels["until"])
    intake = panels["intake"]
    for source, n in intake_counts(_day_start(today), after=until).items():  # received since the row: live
        intake[source] = intake.get(source, 0) + n

    fresh_layer = layer_at is not None and layer_at >= now - stored_figures.stale_after()
    since_at = open_layer.from_epoch_ms(since) if since is not None else None
    delta = None
    if since_at is not None and fresh_layer and now - since_at <= open_layer.MAX_CURSOR_AGE:
        delta = open_layer.changes(since_at, now)
    if delta is None:  # first poll, an old cursor or a flood of changes: the whole layer, brought up to date
        stored = stored_figures.read("screen_layer", today, today)
        cases = open_layer.merged(stored.data, stored.computed_at, now)
        cases["layer"] = open_layer.epoch_ms(stored.computed_at)
    else:
        changed, removed = delta
        cases = {"items": changed, "removed": removed, "full": False, "layer": layer_seen}
        if newer is not None:  # a newer stored layer than the display's: its lights, by id
            cases.update(layer=open_layer.epoch_ms(layer_at), truncated=newer["truncated"], lights=newer["lights"])
    return {
        "now": timezone.localtime(now).strftime("%Y-%m-%d %H:%M:%S"),
        "cursor": open_layer.epoch_ms(now),
        "title": _("City-management command centre"),
        "cases": cases,
        "intake": _intake_rows(intake),
        "overdue": _overdue_rows(panels["overdue"], now),
        "overdue_total": panels["overdue_total"],
        **{key: panels[key] for key in ("funnel", "departments", "trend", "hotline", "hotspots")},
    }
