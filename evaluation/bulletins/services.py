"""Monthly bulletins (月度通报): what goes into one, generating, refreshing and publishing it, and its workbook.

A bulletin's ``figures`` is plain JSON computed from the rollups: headline figures against the previous month,
department and street rankings by composite score with their components, collectors and their companies, the
collectors' reports per home department (full-time and the part-timers of 环卫/园林/市政/执法), overdue
and reworked cases, hotline figures, the twelve-month trend, and what must be fixed (rule-generated from
thresholds in ``settings.EVALUATION_BULLETIN_THRESHOLDS``). A draft can be refreshed; ``publish`` freezes the
figures for good — later edits of cases never change a published bulletin.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from core.workflow import Outcome
from evaluation.bulletins.workflow import (  # noqa: F401 (BulletinStateError: the name callers catch)
    BULLETINS,
    PUBLISH_PERMISSION,
    BulletinForbidden,
    BulletinStateError,
)
from evaluation.indicators import (
    COMPOSITES,
    INDICATORS,
    Figures,
    composite_formula,
    definitions,
    grade,
    period_figures,
    weight_text,
    weights,
)
from evaluation.models import Bulletin, BulletinStatus, CaseFact, DepartmentDay
from evaluation.supervision.figures import reports_by_home

HEADLINE_COUNTS = [
    "reported",
    "accepted",
    "registered",
    "to_dispose",
    "disposed",
    "to_close",
    "closed",
    "closed_on_time",
    "overdue_open",
    "reworked",
    "returned",
    "extended",
    "suspended",
    "cancelled",
]
HEADLINE_RATES = [
    "valid_report_rate",
    "disposal_rate",
    "ontime_disposal_rate",
    "closure_rate",
    "ontime_closure_rate",
    "rework_rate",
    "ontime_dispatch_rate",
    "accurate_dispatch_rate",
]
TREND_RATES = ["disposal_rate", "ontime_disposal_rate", "closure_rate", "ontime_closure_rate"]
CASE_LIST_LIMIT = 200

DEFAULT_THRESHOLDS = {
    "department_disposal_rate": 90,  # 处置率 below → must improve
    "department_ontime_disposal_rate": 80,
    "department_rework_rate": 10,  # above → must improve
    "department_score": 80,
    "street_score": 80,
    "collector_valid_report_rate": 80,
}

# What-must-be-fixed messages, translated when shown (the snapshot stores the rule and its numbers).
FIX_MESSAGES = {
    "department_disposal_rate": gettext_lazy(
        "%(name)s: disposal rate %(value)s%% is below %(threshold)s%%; dispose of every dispatched case."
    ),
    "department_ontime_disposal_rate": gettext_lazy(
        "%(name)s: on-time disposal rate %(value)s%% is below %(threshold)s%%; finish cases within their limits."
    ),
    "department_rework_rate": gettext_lazy(
        "%(name)s: rework rate %(value)s%% is above %(threshold)s%%; check results before reporting back."
    ),
    "department_overdue": gettext_lazy("%(name)s: %(value)s overdue cases still open; dispose of them at once."),
    "department_score": gettext_lazy("%(name)s: composite score %(value)s is below %(threshold)s."),
    "street_score": gettext_lazy("%(name)s: composite score %(value)s is below %(threshold)s."),
    "collector_valid_report_rate": gettext_lazy(
        "Collector %(name)s: valid report rate %(value)s%% is below %(threshold)s%%; report only fileable problems."
    ),
}


def thresholds() -> dict:
    return {**DEFAULT_THRESHOLDS, **getattr(settings, "EVALUATION_BULLETIN_THRESHOLDS", {})}


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


# ---- Contents ------------------------------------------------------------------------------------------------------


def _trend(end: date, months: int = 12) -> list[dict]:
    """Overall counts and rates per month for the *months* months ending with the one containing *end*."""
    first = end.replace(day=1)
    for _i in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    needed = sorted({m for key in TREND_RATES for m in (*INDICATORS[key].numerator, *INDICATORS[key].denominator)})
    needed = sorted({m.lstrip("-") for m in needed} | {"reported", "closed"})
    rows = (
        DepartmentDay.objects.filter(day__range=(first, end))
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(**{m: Sum(m) for m in needed})
    )
    by_month = {row["month"]: row for row in rows}
    result = []
    month = first
    while month <= end:
        row = by_month.get(month, {})
        figures = Figures({m: int(row.get(m) or 0) for m in needed})
        result.append(
            {
                "month": month.strftime("%Y-%m"),
                "counts": {"reported": figures.count("reported"), "closed": figures.count("closed")},
                "rates": {k: _fmt(figures.rate(k)) for k in TREND_RATES},
            }
        )
        month = (month + timedelta(days=32)).replace(day=1)
    return result


def _fmt(value) -> str | None:
    return None if value is None else str(value)


def _case_list(start: date, end: date, flag: str) -> dict:
    from cases.models import Case

    facts = CaseFact.objects.filter(day__range=(start, end), **{f"{flag}__gt": 0})
    total = facts.count()
    first = facts.order_by("day", "case_id").values("case_id")[:CASE_LIST_LIMIT]  # the earliest received
    cases = Case.objects.filter(pk__in=first).select_related("minor_class", "department").order_by("received_at", "pk")
    items = [
        {
            "id": c.pk,
            "case_no": c.case_no,
            "class": c.minor_class.name,
            "address": c.address,
            "department": c.department.name if c.department else "",
            "status": c.status,
            "received_at": timezone.localtime(c.received_at).strftime("%Y-%m-%d %H:%M"),
            "deadline": timezone.localtime(c.disposal_deadline).strftime("%Y-%m-%d %H:%M")
            if c.disposal_deadline
            else "",
            "rework_count": c.rework_count,
        }
        for c in cases
    ]
    return {"total": total, "items": items}


def _companies(collectors: list[dict]) -> list[dict]:
    """The outsourced collection companies: their collectors' figures summed and scored like one collector."""
    groups: dict[str, Figures] = {}
    for row in collectors:
        if row.get("company_kind") != "outsourced":
            continue
        figures = groups.setdefault(row["company"], Figures())
        figures.add(Figures({k: v for k, v in row["counts"].items() if k not in ("volume", "max_volume")}))
    rows = []
    components = weights("collector")
    for name, figures in groups.items():
        score = figures.score(components)
        rows.append(
            {
                "name": name,
                "collectors": sum(1 for r in collectors if r.get("company") == name),
                "rates": {c.indicator: _fmt(figures.rate(c.indicator)) for c in components},
                "score": _fmt(score),
                "grade": grade(score),
            }
        )
    rows.sort(key=lambda r: -Decimal(r["score"] or 0))
    return rows


def _hotline(start: date, end: date) -> dict:
    from hotlines.indicators import hotline_indicators

    figures = hotline_indicators(start, end)
    return {key: _fmt(value) if isinstance(value, Decimal) else value for key, value in figures.items()}


CHANNEL_COUNTS = ["reported", "registered", "closed"]
CHANNEL_RATES = ["valid_report_rate", "closure_rate"]


def _channels(sources: dict) -> list[dict]:
    """Per intake channel (every case source, zeros included): reported, registered and closed, from the rollups."""
    from cases.choices import CaseSource

    rows = []
    for source in CaseSource.values:
        row = sources.get(source, {})
        counts = row.get("counts", {})
        figures = Figures({k: int(v or 0) for k, v in counts.items()})
        rows.append(
            {
                "source": source,
                "counts": {k: figures.count(k) for k in CHANNEL_COUNTS},
                "rates": {k: _fmt(figures.rate(k)) for k in CHANNEL_RATES},
            }
        )
    return rows


def _fixes(period: dict) -> list[dict]:
    limits = thresholds()
    fixes = []

    def below(value, threshold) -> bool:
        return value is not None and Decimal(value) < Decimal(threshold)

    for row in period["departments"]:
        rates = row["rates"]
        for key in ("disposal_rate", "ontime_disposal_rate"):
            rule = f"department_{key}"
            if below(rates.get(key), limits[rule]):
                fixes.append({"rule": rule, "name": row["name"], "value": rates[key], "threshold": limits[rule]})
        if rates.get("rework_rate") is not None and Decimal(rates["rework_rate"]) > limits["department_rework_rate"]:
            fixes.append(
                {
                    "rule": "department_rework_rate",
                    "name": row["name"],
                    "value": rates["rework_rate"],
                    "threshold": limits["department_rework_rate"],
                }
            )
        if row["counts"].get("overdue_open"):
            fixes.append({"rule": "department_overdue", "name": row["name"], "value": row["counts"]["overdue_open"]})
        if below(row.get("score"), limits["department_score"]):
            fixes.append(
                {
                    "rule": "department_score",
                    "name": row["name"],
                    "value": row["score"],
                    "threshold": limits["department_score"],
                }
            )
    for row in period["streets"]:
        if below(row.get("score"), limits["street_score"]):
            fixes.append(
                {
                    "rule": "street_score",
                    "name": row["name"],
                    "value": row["score"],
                    "threshold": limits["street_score"],
                }
            )
    for row in period["people"].get("collector", []):
        value = row["rates"].get("collector_valid_report_rate")
        if below(value, limits["collector_valid_report_rate"]):
            fixes.append(
                {
                    "rule": "collector_valid_report_rate",
                    "name": row["name"],
                    "value": value,
                    "threshold": limits["collector_valid_report_rate"],
                }
            )
    return fixes


def home_rows(figures: dict) -> list[dict]:
    """The reports per home department with their labels, then the total (none in bulletins frozen before the
    section existed)."""
    from evaluation.supervision.models import HomeDepartment

    homes = figures.get("collector_homes")
    if not homes:
        return []
    rows = [
        {**r, "label": HomeDepartment(r["home"]).label if r["home"] in HomeDepartment.values else r["home"]}
        for r in homes["rows"]
    ]
    return [*rows, {**homes["total"], "home": "total", "label": gettext("Total")}]


def fix_text(fix: dict) -> str:
    message = FIX_MESSAGES.get(fix.get("rule"))
    return str(message) % fix if message else str(fix)


def build_figures(start: date, end: date) -> dict:
    """Everything a bulletin shows for ``start``..``end`` (a month), computed fresh from the rollups."""
    period = period_figures(start, end, fresh=True)
    previous_end = start - timedelta(days=1)
    previous_start = previous_end.replace(day=1)
    previous = period_figures(previous_start, previous_end, fresh=True)["overall"]
    current = period["overall"]
    headline = []
    for key in HEADLINE_COUNTS:
        value, before = current["counts"].get(key, 0), previous["counts"].get(key, 0)
        headline.append({"key": key, "value": value, "previous": before, "change": value - before})
    for key in HEADLINE_RATES:
        value, before = current["rates"].get(key), previous["rates"].get(key)
        change = str(Decimal(value) - Decimal(before)) if value is not None and before is not None else None
        headline.append({"key": key, "value": value, "previous": before, "change": change})
    collectors = period["people"]["collector"]
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "previous_period": {"start": previous_start.isoformat(), "end": previous_end.isoformat()},
        "headline": headline,
        "overall": current,
        "departments": period["departments"],
        "streets": period["streets"],
        "communities": period["communities"],
        "collectors": collectors,
        "companies": _companies(collectors),
        "collector_homes": reports_by_home(start, end),
        "operators": period["people"]["operator"],
        "shift_leaders": period["people"]["shift_leader"],
        "dispatchers": period["people"]["dispatcher"],
        "overdue_cases": _case_list(start, end, "overdue_open"),
        "reworked_cases": _case_list(start, end, "reworked"),
        "channels": _channels(period["sources"]),
        "hotline": _hotline(start, end),
        "trend": _trend(end),
        "fixes": _fixes(period),
        "composites": {
            scheme: {
                "formula": composite_formula(weights(scheme)),
                "components": [
                    {"indicator": c.indicator, "weight": weight_text(c.weight), "inverse": c.inverse}
                    for c in weights(scheme)
                ],
            }
            for scheme in COMPOSITES
        },
        "definitions": definitions(),
        "computed_at": timezone.now().isoformat(),
    }


# ---- Services ------------------------------------------------------------------------------------------------------

VIEW_PERMISSION = "evaluation.view_bulletin"


def _event(bulletin: Bulletin, action: str, actor, from_status: str, **data):
    return BULLETINS.record_event(bulletin, action, actor, from_status, bulletin.status, at=timezone.now(), data=data)


def _require(actor, permission: str) -> None:
    if actor is not None and not actor.has_perm(permission):
        raise BulletinForbidden(gettext("Your role may not change monthly bulletins."))


def create_bulletin(year: int, month: int, actor=None) -> tuple[Bulletin, bool]:
    """The bulletin of one month, created as a draft with its figures if missing (idempotent). Numbered 第N期 in
    the order bulletins are created within the year. ``actor`` None: Celery beat (the system); a person needs the
    publish permission."""
    _require(actor, PUBLISH_PERMISSION)
    start, end = month_bounds(year, month)
    existing = Bulletin.objects.filter(period_start=start, period_end=end).first()
    if existing:
        return existing, False
    figures = build_figures(start, end)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                number = (
                    Bulletin.objects.filter(year=year).order_by("-number").values_list("number", flat=True).first() or 0
                ) + 1
                bulletin = Bulletin.objects.create(
                    year=year,
                    number=number,
                    period_start=start,
                    period_end=end,
                    figures=figures,
                    computed_at=timezone.now(),
                )
                _event(bulletin, "create", actor, "", period=[start.isoformat(), end.isoformat()])
                return bulletin, True
        except IntegrityError:
            existing = Bulletin.objects.filter(period_start=start, period_end=end).first()
            if existing:
                return existing, False
    raise IntegrityError("could not number the bulletin")


def ensure_last_month(today: date | None = None) -> tuple[Bulletin, bool]:
    """Beat's daily job: last month's bulletin, created if missing."""
    today = today or timezone.localdate()
    year, month = previous_month(today.year, today.month)
    return create_bulletin(year, month)


def refresh(bulletin_id: int, actor) -> Bulletin:
    """Recompute a draft's figures (``actor`` None: the system). Through the bulletin workflow: permission, row
    lock, state (a published bulletin is frozen: BulletinStateError), an event."""

    def handle(bulletin: Bulletin, now) -> Outcome:
        bulletin.figures = build_figures(bulletin.period_start, bulletin.period_end)
        bulletin.computed_at = timezone.now()
        return Outcome()

    return BULLETINS.run(bulletin_id, "refresh", actor, handle)


def publish(bulletin_id: int, actor) -> Bulletin:
    """Publish a draft: permission, row lock, state check, figures recomputed once more and frozen for good, an
    event; the readers of bulletins are notified once the publication is committed."""

    def handle(bulletin: Bulletin, now) -> Outcome:
        bulletin.figures = build_figures(bulletin.period_start, bulletin.period_end)
        bulletin.computed_at = timezone.now()
        bulletin.published_at = timezone.now()
        bulletin.published_by = actor
        return Outcome(
            BulletinStatus.PUBLISHED,
            messages=[("evaluation.bulletins.services.notify_published", {"bulletin_id": bulletin.pk})],
        )

    return BULLETINS.run(bulletin_id, "publish", actor, handle)


PUBLISHED_MESSAGE = gettext_lazy("Monthly bulletin %(year)s No. %(number)s has been published.")


def bulletin_readers():
    """Active users who may read bulletins (by permission, whatever their role)."""
    from core.notifications import users_with_permission

    return users_with_permission(VIEW_PERMISSION)


def notify_published(bulletin_id: int) -> int:
    """Tell every reader of bulletins that one was published (once per reader: the dedupe key is the bulletin)."""
    from django.urls import reverse

    from core.notifications import notify, render

    bulletin = Bulletin.objects.get(pk=bulletin_id)
    message = render(PUBLISHED_MESSAGE, year=bulletin.year, number=bulletin.number)
    url = reverse("evaluation:bulletin", args=[bulletin.pk])
    return notify(bulletin_readers(), "bulletin_published", message, url, dedupe_key=f"bulletin-{bulletin.pk}")
