"""The platform's figures of a month for the company's assessment, all rates in percent (two decimals, None when
nothing was there to count):

- valid-report rate (有效上报率), on-time verification (核实及时率) and check (核查及时率) rates: the collectors' person
  rollups (``evaluation.models.PersonDay``) summed over every collector, the same measures as their own rankings;
- missed-report rate (漏报率): problems the inspection teams found missed in the month (records of kind 漏报 not
  reversed) / (the collectors' reports + those missed problems);
- presence rate (在岗率): ``grids.patrol.figures`` per day and active shift, for each collector who sent at least one
  position in that shift (the app tracks only while on duty): time inside the duty grids / the shifts' length.
  Absence without any position is the inspection teams' 脱岗 record, not this figure.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from core.choices import Role
from core.models import User
from evaluation.indicators import Figures
from evaluation.models.facts import PERSON_MEASURES
from evaluation.supervision.models import InspectionKind, InspectionRecord, ItemSource

TWO = Decimal("0.01")


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _rate(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(TWO, rounding=ROUND_HALF_UP)


def collector_figures(start: date, end: date) -> Figures:
    from evaluation.models import PersonDay

    ids = User.objects.filter(role=Role.COLLECTOR).values_list("pk", flat=True)
    rows = PersonDay.objects.filter(day__range=(start, end), user_id__in=ids)
    totals = rows.aggregate(**{name: Sum(name) for name in PERSON_MEASURES})
    return Figures({key: int(value or 0) for key, value in totals.items()})


def missed_found(start: date, end: date) -> int:
    """漏报 records of the period that no later record reversed."""
    return (
        InspectionRecord.objects.filter(
            kind=InspectionKind.MISSED, inspected_on__range=(start, end), reverses__isnull=True
        )
        .filter(reversed_by__isnull=True)
        .count()
    )


def presence_rate(start: date, end: date) -> Decimal | None:
    from grids.patrol.figures import figures, shift_window
    from grids.patrol.models import PatrolShift

    ids = list(User.objects.filter(role=Role.COLLECTOR).values_list("pk", flat=True))
    shifts = list(PatrolShift.objects.filter(is_active=True))
    inside = window = 0.0
    day = start
    while day <= end:
        for shift in shifts:
            begin, finish = shift_window(shift, day)
            for row in figures(ids, begin, finish).values():
                if row.points:
                    inside += row.inside_seconds
                    window += row.window_seconds
        day += timedelta(days=1)
    return _rate(Decimal(str(inside)), Decimal(str(window))) if window else None


def platform_values(month: date) -> dict[str, Decimal | None]:
    """{item source: value} of the month."""
    start, end = month_bounds(month)
    people = collector_figures(start, end)
    missed = missed_found(start, end)
    return {
        ItemSource.VALID_REPORT_RATE: people.rate("collector_valid_report_rate"),
        ItemSource.VERIFY_TIMELINESS: people.rate("collector_ontime_verification_rate"),
        ItemSource.CHECK_TIMELINESS: people.rate("collector_ontime_check_rate"),
        ItemSource.MISSED_REPORT_RATE: _rate(missed, people.count("reports") + missed),
        ItemSource.PRESENCE_RATE: presence_rate(start, end),
    }


# ---- Reports per home department (bulletins) -----------------------------------------------------------------------

HOME_COUNTS = ("collectors", "reporting", "reports", "valid_reports")


def reports_by_home(start: date, end: date) -> dict:
    """The collectors' reports of ``start``..``end`` per home department (专职, and the part-timers of
    环卫/园林/市政/执法): collectors on the roll, collectors who reported, reports, valid reports, the
    valid-report rate and each department's share of the reports.

    Two grouped queries: the person rollups joined to the collector profile (a collector without one is
    full-time), and the active collectors who had started by the period's end. Every home department is listed,
    zeros included, in the order of ``HomeDepartment``; ``total`` sums them."""
    from django.db.models import Count, OuterRef, Q, Subquery, Value
    from django.db.models.functions import Coalesce

    from evaluation.models import PersonDay
    from evaluation.supervision.models import CollectorProfile, HomeDepartment

    collectors = User.objects.filter(role=Role.COLLECTOR)
    home = Coalesce(
        Subquery(CollectorProfile.objects.filter(user_id=OuterRef("user_id")).values("home")[:1]),
        Value(HomeDepartment.FULL_TIME),
    )
    reported = (
        PersonDay.objects.filter(day__range=(start, end), user_id__in=collectors.values("pk"))
        .annotate(home=home)
        .values("home")
        .annotate(
            reporting=Count("user_id", distinct=True, filter=Q(reports__gt=0)),
            reports=Sum("reports"),
            valid_reports=Sum("valid_reports"),
        )
    )
    roll = (
        collectors.filter(is_active=True)
        .filter(Q(collector__started_on__isnull=True) | Q(collector__started_on__lte=end))
        .annotate(home=Coalesce("collector__home", Value(HomeDepartment.FULL_TIME)))
        .values("home")
        .annotate(collectors=Count("pk"))
    )
    counts = {key: dict.fromkeys(HOME_COUNTS, 0) for key in HomeDepartment.values}
    for row in [*reported, *roll]:
        target = counts.setdefault(row["home"], dict.fromkeys(HOME_COUNTS, 0))
        target.update({k: int(row[k] or 0) for k in HOME_COUNTS if k in row})
    total = {k: sum(c[k] for c in counts.values()) for k in HOME_COUNTS}

    def entry(values: dict) -> dict:
        figures = Figures({"reports": values["reports"], "valid_reports": values["valid_reports"]})
        rate = figures.rate("collector_valid_report_rate")
        share = _rate(values["reports"], total["reports"])
        return {
            "counts": values,
            "valid_report_rate": None if rate is None else str(rate),
            "share": None if share is None else str(share),
        }

    return {
        "rows": [{"home": key, "part_time": key != HomeDepartment.FULL_TIME, **entry(c)} for key, c in counts.items()],
        "total": entry(total),
    }
