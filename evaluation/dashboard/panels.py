"""The panels of the home page, each a plain dict for the template, chosen by the user's permissions.

Every number that links to a list is counted with the list's own queryset: ``Case.objects.visible_to(user)``, the
queue's ``apply`` and the ``CaseFilterSet`` conditions the link carries (``overdue``, ``turns_yellow``, ``source``,
``received_after``…), so following a link shows exactly that many rows. Counts read indexes (open cases through the
partial indexes, today's through the time indexes); the trends and the month's rates read the daily rollups.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from cases.choices import CaseSource, CaseStatus
from cases.deadlines import traffic_light
from cases.filtersets import TASK_STATUSES
from cases.models import Case
from cases.views.queues import QUEUES_BY_KEY, default_queue, queue_counts, queue_soon, queues_for
from core.models import Notification
from evaluation.bulletins.services import HEADLINE_RATES, previous_month
from evaluation.indicators import INDICATORS, by_department, overall, weights

LIST_ROWS = 8  # rows of the short lists (cases to sign, tasks…)
TREND_DAYS = 30
ROLLUP_CACHE_SECONDS = 60
RANKED = 3  # departments shown at the top and at the bottom


def cases_url(**params) -> str:
    return reverse("cases:console") + "?" + urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


# ---- Queues --------------------------------------------------------------------------------------------------------


def queue_panel(user, now: datetime) -> list[dict]:
    """Each queue of the user's work: its count, overdue and turning yellow within the next working hour."""
    queues = [q for q in queues_for(user) if q.key not in ("open", "all")]
    if not queues:
        return []
    overdue: dict[str, int] = {}
    counts = queue_counts(user, queues, overdue)
    soon = queue_soon(user, queues, now)
    rows = []
    for queue in queues:
        rows.append(
            {
                "key": queue.key,
                "label": queue.label,
                "count": counts.get(queue.key, 0),
                "url": cases_url(queue=queue.key),
                "overdue": overdue.get(queue.key),
                "overdue_url": cases_url(queue=queue.key, overdue="true"),
                "soon": soon.get(queue.key),
                "soon_url": cases_url(queue=queue.key, turns_yellow="true"),
            }
        )
    return rows


def own_work_queue(user):
    """The queue of the user's own work (not the supervisor's overdue or everyone's open list)."""
    queue = default_queue(user)
    return queue if queue is not None and queue.key not in ("overdue", "open") else None


# ---- Today --------------------------------------------------------------------------------------------------------


def today_panel(user, today: date) -> dict:
    """Today's intake by channel and the cases dispatched, disposed and closed today, among those the user sees."""
    visible = Case.objects.visible_to(user)
    start = _day_start(today)
    day = today.isoformat()
    # One statement: today's intake per channel and the three milestones, each from its own time index (BitmapOr).
    today_rows = visible.filter(
        Q(received_at__gte=start) | Q(dispatched_at__gte=start) | Q(disposed_at__gte=start) | Q(closed_at__gte=start)
    ).order_by()
    milestones = today_rows.aggregate(
        dispatched=Count("pk", filter=Q(dispatched_at__gte=start)),
        disposed=Count("pk", filter=Q(disposed_at__gte=start)),
        closed=Count("pk", filter=Q(closed_at__gte=start)),
        **{
            f"source_{value}": Count("pk", filter=Q(received_at__gte=start, source=value))
            for value in CaseSource.values
        },
    )
    channels = [
        {
            "source": value,
            "label": str(label),
            "count": milestones.pop(f"source_{value}"),
            "url": cases_url(queue="all", source=value, received_after=day),
        }
        for value, label in CaseSource.choices
    ]
    return {
        "channels": channels,
        "received": sum(c["count"] for c in channels),
        "received_url": cases_url(queue="all", received_after=day),
        "steps": [
            {"key": name, "count": count, "url": cases_url(queue="all", **{f"{name}_after": day})}
            for name, count in milestones.items()
        ],
    }


def _cached(key: str, compute):
    """Figures from the rollups (not counts a link promises) kept for ``ROLLUP_CACHE_SECONDS`` in Redis, keyed by the
    rollups' version so a rebuild is seen at once; a Redis outage only costs the computation."""
    from django.core.cache import cache

    from evaluation.rollups import version

    key = f"dashboard:{key}:v{version()}"
    try:
        value = cache.get(key)
    except Exception:
        value = None
    if value is None:
        value = compute()
        try:
            cache.set(key, value, ROLLUP_CACHE_SECONDS)
        except Exception:
            pass
    return value


def intake_trend(user, today: date) -> list[dict] | None:
    """Cases received per day over the last 30 days and how many of them are closed, from the daily rollups (the
    centre: per channel; a department: its own). None for users the rollups cannot be scoped to."""
    from evaluation.models import DepartmentDay, SourceDay

    first = today - timedelta(days=TREND_DAYS - 1)
    if user.has_perm("cases.view_all_cases"):
        rows = SourceDay.objects.filter(day__range=(first, today))
    elif user.has_perm("cases.dispose_case") and user.department_id:
        from core.filters import subtree_ids

        rows = DepartmentDay.objects.filter(day__range=(first, today), department_id__in=subtree_ids(user.department))
    else:
        return None
    scope = "all" if user.has_perm("cases.view_all_cases") else f"department:{user.department_id}"

    def compute():
        return {
            r["day"]: {"reported": r["reported"], "closed": r["closed"]}
            for r in rows.values("day").annotate(reported=Sum("reported"), closed=Sum("closed"))
        }

    sums = _cached(f"trend:{scope}:{today.isoformat()}", compute)
    days = [first + timedelta(days=i) for i in range(TREND_DAYS)]
    empty: dict = {}
    return [
        {
            "day": d.isoformat(),
            "reported": sums.get(d, empty).get("reported") or 0,
            "closed": sums.get(d, empty).get("closed") or 0,
        }
        for d in days
    ]


# ---- Supervisor: the month so far ----------------------------------------------------------------------------------


def month_panel(today: date) -> dict:
    """The month panel from the stored period figures (kind ``home_month``, refreshed by Celery on a schedule)."""
    from evaluation import stored_figures

    data = stored_figures.read("home_month", today.replace(day=1), today).data
    return restore_month_panel(data)


def restore_month_panel(data: dict) -> dict:
    """Stored JSON back to what the template shows: dates, decimal rates, and the labels in the reader's language."""
    panel = dict(data)
    for key in ("start", "end", "previous_start", "previous_end"):
        panel[key] = date.fromisoformat(data[key])
    panel["rates"] = []
    for row in data["rates"]:
        indicator = INDICATORS[row["key"]]
        decimals = {k: None if row[k] is None else Decimal(row[k]) for k in ("value", "previous", "change")}
        panel["rates"].append({**row, **decimals, "label": indicator.label, "formula": indicator.formula})
    for key in ("top", "bottom"):
        panel[key] = [{**row, "score": Decimal(row["score"])} for row in data[key]]
    return panel


def compute_month_panel(today: date) -> dict:
    """The bulletin's headline rates for this month so far against the whole previous month, and the departments
    at the top and bottom of this month's composite score (all from the daily rollups), as JSON-ready data."""
    from core.models import Department

    start = today.replace(day=1)
    year, month = previous_month(today.year, today.month)
    last_start = date(year, month, 1)
    last_end = start - timedelta(days=1)
    now_figures, last_figures = overall(start, today), overall(last_start, last_end)
    rates = []
    for key in HEADLINE_RATES:
        value, previous = now_figures.rate(key), last_figures.rate(key)
        change = None if value is None or previous is None else value - previous
        indicator = INDICATORS[key]
        better = None
        if change:
            better = (change < 0) if indicator.lower_is_better else (change > 0)
        rates.append(
            {
                "key": key,
                "value": _text(value),
                "previous": _text(previous),
                "change": _text(change),
                "better": better,
            }
        )
    components = weights("department")
    scored = []
    for department_id, figures in by_department(start, today).items():
        if department_id:
            scored.append({"id": department_id, "score": _text(figures.score(components))})
    scored = [row for row in scored if row["score"] is not None]
    scored.sort(key=lambda row: (-Decimal(row["score"]), row["id"]))
    names = dict(Department.objects.filter(pk__in=[r["id"] for r in scored]).values_list("pk", "name"))
    for row in scored:
        row["name"] = names.get(row["id"], str(row["id"]))
        row["url"] = cases_url(queue="open", department=row["id"])
    top = scored[:RANKED]
    bottom = [row for row in scored[-RANKED:] if row not in top][::-1] if len(scored) > RANKED else []
    return {
        "start": start,
        "end": today,
        "previous_start": last_start,
        "previous_end": last_end,
        "counts": {"reported": now_figures.count("reported"), "previous_reported": last_figures.count("reported")},
        "rates": rates,
        "top": top,
        "bottom": bottom,
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# ---- Department handler ---------------------------------------------------------------------------------------------


def handler_panel(user, now: datetime) -> dict:
    """Cases to sign for and to dispose of, nearest deadline first, and the department's hotline orders."""
    visible = Case.objects.visible_to(user)
    lists = []
    for key in ("to_sign", "disposing"):
        queue = QUEUES_BY_KEY[key]
        cases = list(queue.apply(visible).select_related("minor_class")[:LIST_ROWS])
        for case in cases:
            case.light = traffic_light(case, now)
        lists.append({"key": key, "label": queue.label, "cases": cases, "url": cases_url(queue=key)})
    return {"lists": lists, "hotline": hotline_panel(user)}


def hotline_panel(user) -> dict | None:
    if not user.has_perm("hotlines.view_workorder"):
        return None
    from hotlines.models import WorkOrder
    from hotlines.workflow import waiting_for

    waiting = WorkOrder.objects.visible_to(user).filter(waiting_for(user))
    count = waiting.count()
    nearest = list(waiting.select_related("hotline").order_by("deadline", "id")[:LIST_ROWS])
    return {
        "count": count,
        "url": reverse("hotlines:console") + "?queue=todo",
        "overdue": waiting.filter(deadline__lt=timezone.now()).count(),
        "overdue_url": reverse("hotlines:console") + "?queue=todo&overdue=true",
        "orders": nearest,
    }


# ---- Collector -----------------------------------------------------------------------------------------------------


def collector_panel(user, today: date, now: datetime) -> dict:
    """Open verify/check tasks (nearest deadline first) and the user's own reports this week (from Monday)."""
    visible = Case.objects.visible_to(user)
    tasks = visible.filter(assigned_collector=user, status__in=TASK_STATUSES)
    monday = today - timedelta(days=today.weekday())
    reports = visible.filter(reporter=user, received_at__gte=_day_start(monday))
    task_rows = list(tasks.select_related("minor_class").order_by("stage_deadline", "pk")[:LIST_ROWS])
    for case in task_rows:
        case.light = traffic_light(case, now)
    by_status = {row["status"]: row["n"] for row in reports.order_by().values("status").annotate(n=Count("pk"))}
    return {
        "tasks": task_rows,
        "task_count": tasks.count(),
        "tasks_url": cases_url(queue="all", mine="tasks"),
        "reports": sum(by_status.values()),
        "reports_url": cases_url(queue="all", mine="reports", received_after=monday.isoformat()),
        "week_start": monday,
        "reports_by_status": [
            {"label": CaseStatus(s).label, "count": n} for s, n in sorted(by_status.items(), key=lambda kv: -kv[1])
        ],
    }


# ---- Finance -------------------------------------------------------------------------------------------------------


def finance_panel() -> list[dict]:
    """Self-evaluations of the latest two years with their state, total, grade and open findings."""
    from evaluation.models import SelfEvaluation
    from evaluation.selfeval.checks import Severity, run_checks
    from evaluation.selfeval.services import load

    evaluations = list(SelfEvaluation.objects.select_related("project").order_by("-year", "project__unit_name"))
    years = sorted({e.year for e in evaluations}, reverse=True)[:2]
    rows = []
    for evaluation in evaluations:
        if evaluation.year not in years:
            continue
        findings = run_checks(load(evaluation))
        rows.append(
            {
                "evaluation": evaluation,
                "url": reverse("evaluation:self_evaluation", args=[evaluation.pk]),
                "errors": sum(1 for f in findings if f.severity == Severity.ERROR),
                "warnings": sum(1 for f in findings if f.severity != Severity.ERROR),
            }
        )
    return rows


# ---- Everyone ------------------------------------------------------------------------------------------------------


def notification_panel(user) -> dict:
    """The latest unread notifications (their count is the top bar's, from core.context_processors)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    return {"latest": list(unread.order_by("-created_at")[:5])}
