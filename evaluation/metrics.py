"""System metrics: the platform's own figures that other parts of evaluation (the annual self-evaluation) bind to.

Contract (used by ``evaluation.selfeval``):

- ``SYSTEM_METRICS: dict[str, Metric]`` — key → label, unit and formula text;
- ``system_metric(key, start, end) -> Decimal | None`` — the figure over the dates ``start``..``end`` (both
  inclusive). Rates are percentages 0–100 with two decimals, ``None`` when their denominator is 0.

Case figures come from the rollups (``evaluation.indicators``), never from scanning cases, so an annual figure over
millions of cases takes milliseconds. The hotline figures come from ``hotlines.indicators`` and the system fault
rate from ``core.models.HealthCheck``.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from evaluation.indicators import HOTLINE_FIGURES, INDICATORS, SERVICE_SATISFACTION

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Metric:
    key: str
    label: str | Promise
    unit: str  # "%" for rates, otherwise the counted thing
    formula: str | Promise


def _quantize(value: Decimal | float | int | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def months_in(start: date, end: date) -> Decimal:
    """How many months the period spans, partial months as fractions of their days (1 Jan–31 Dec is exactly 12)."""
    if end < start:
        return Decimal(0)
    total = Decimal(0)
    day = date(start.year, start.month, 1)
    while day <= end:
        days_in_month = calendar.monthrange(day.year, day.month)[1]
        month_end = day.replace(day=days_in_month)
        covered = (min(end, month_end) - max(start, day)).days + 1
        total += Decimal(covered) / Decimal(days_in_month)
        day = month_end + timedelta(days=1)
    return total


# ---- Case figures (from the rollups) -------------------------------------------------------------------------------


def _case_rate(indicator_key: str) -> Callable[[date, date], Decimal | None]:
    def compute(start: date, end: date) -> Decimal | None:
        from evaluation.indicators import overall

        return _quantize(overall(start, end).rate(indicator_key))

    return compute


def _cases_per_month(start: date, end: date) -> Decimal | None:
    from evaluation.indicators import overall

    months = months_in(start, end)
    if not months:
        return None
    return _quantize(Decimal(overall(start, end).count("registered")) / months)


# ---- Hotline figures (from the hotlines layer) ----------------------------------------------------------------------


def _hotline(field: str) -> Callable[[date, date], Decimal | None]:
    def compute(start: date, end: date) -> Decimal | None:
        from hotlines.indicators import hotline_indicators

        value = hotline_indicators(start, end).get(field)
        return _quantize(value) if value is not None else None

    return compute


def _service_satisfaction_rate(start: date, end: date) -> Decimal | None:
    from evaluation.satisfaction import service_satisfaction

    return _quantize(service_satisfaction(start, end)["total"]["satisfaction_rate"])


def _opinion_reply_rate(start: date, end: date) -> Decimal | None:
    from hotlines.indicators import opinion_indicators

    return _quantize(opinion_indicators(start, end)["reply_rate"])


# ---- Bulletins --------------------------------------------------------------------------------------------------


def _bulletins_issued(start: date, end: date) -> Decimal | None:
    """Bulletins published (issued) within the dates, whatever month they report on."""
    from evaluation.models import Bulletin, BulletinStatus

    tz = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(start, time.min), tz)
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz)
    issued = Bulletin.objects.filter(status=BulletinStatus.PUBLISHED, published_at__gte=since, published_at__lt=until)
    return Decimal(issued.count())


# ---- Supervision of the collectors ---------------------------------------------------------------------------------


def _trained_share(start: date, end: date) -> Decimal | None:
    """As of the period's last day: the active collectors whose last training by then was passed."""
    from evaluation.supervision.training import trained_share

    del start
    return trained_share(end)


# ---- System health -------------------------------------------------------------------------------------------------


def _system_fault_rate(start: date, end: date) -> Decimal | None:
    """Faulty minutes over monitored minutes: beat samples once a minute (core.health.record_sample), so a minute
    whose sample is unhealthy or missing altogether (an outage stops beat too) is a fault. Counting starts at the
    first sample ever taken and stops HEALTH_SAMPLE_GRACE minutes ago (samples on their way)."""
    from django.conf import settings
    from django.db.models import Min

    from core.models import HealthCheck

    tz = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(start, time.min), tz)
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz)
    first = HealthCheck.objects.filter(due_at__isnull=False).aggregate(first=Min("due_at"))["first"]
    if first is None:
        return None
    now = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=settings.HEALTH_SAMPLE_GRACE)
    begin, finish = max(since, first), min(until, now)
    minutes = int((finish - begin).total_seconds() // 60)
    if minutes <= 0:
        return None
    healthy = HealthCheck.objects.filter(due_at__gte=begin, due_at__lt=finish, healthy=True).count()
    return _quantize(Decimal(minutes - healthy) * 100 / Decimal(minutes))


SYSTEM_METRICS: dict[str, Metric] = {
    m.key: m
    for m in [
        Metric(
            "cases_per_month",
            _("Cases handled per month"),
            _("cases"),
            _("cases registered in the period / months in the period"),
        ),
        *(
            Metric(key, INDICATORS[key].label, "%", INDICATORS[key].formula)  # defined once, in indicators.py
            for key in ("disposal_rate", "ontime_disposal_rate", "closure_rate", "ontime_closure_rate")
        ),
        Metric("hotline_reply_rate", _("Hotline reply rate"), "%", HOTLINE_FIGURES["reply_rate"].formula),
        Metric(
            "hotline_ontime_rate",
            _("Hotline on-time completion rate"),
            "%",
            HOTLINE_FIGURES["ontime_completion_rate"].formula,
        ),
        Metric(
            "hotline_satisfaction_rate",
            _("Hotline satisfaction rate"),
            "%",
            HOTLINE_FIGURES["satisfaction_rate"].formula,
        ),
        Metric(
            SERVICE_SATISFACTION.key, SERVICE_SATISFACTION.label, "%", SERVICE_SATISFACTION.formula
        ),  # 服务对象满意度: citizens' reports, web opinions and hotline orders alike
        Metric(
            "opinion_reply_rate",
            _("Online opinion reply rate"),
            "%",
            _("online opinion items replied / items received × 100%"),
        ),
        Metric(
            "bulletins_issued",
            _("Bulletins issued"),
            _("bulletins"),
            _("bulletins published in the period"),
        ),
        Metric(
            "trained_share",
            _("Collectors trained"),
            "%",
            _("active collectors whose last training was passed / active collectors × 100%, at the period's end"),
        ),
        Metric(
            "system_fault_rate",
            _("System fault rate"),
            "%",
            _("minutes with a faulty or missing health sample / monitored minutes × 100%"),
        ),
    ]
}

_COMPUTE: dict[str, Callable[[date, date], Decimal | None]] = {
    "cases_per_month": _cases_per_month,
    "disposal_rate": _case_rate("disposal_rate"),
    "ontime_disposal_rate": _case_rate("ontime_disposal_rate"),
    "closure_rate": _case_rate("closure_rate"),
    "ontime_closure_rate": _case_rate("ontime_closure_rate"),
    "hotline_reply_rate": _hotline("reply_rate"),
    "hotline_ontime_rate": _hotline("ontime_completion_rate"),
    "hotline_satisfaction_rate": _hotline("satisfaction_rate"),
    "service_satisfaction_rate": _service_satisfaction_rate,
    "opinion_reply_rate": _opinion_reply_rate,
    "bulletins_issued": _bulletins_issued,
    "trained_share": _trained_share,
    "system_fault_rate": _system_fault_rate,
}
assert set(_COMPUTE) == set(SYSTEM_METRICS)


def system_metric(key: str, start: date, end: date) -> Decimal | None:
    """The figure *key* of SYSTEM_METRICS over ``start``..``end`` (inclusive). KeyError for an unknown key."""
    if key not in _COMPUTE:
        raise KeyError(f"unknown system metric {key!r}")
    return _COMPUTE[key](start, end)
