"""Period figures computed on a schedule and read from their stored results (``PeriodFigure``).

Kinds, each a function ``(start, end) -> JSON-ready dict`` over the rollups or the cases:

- ``screen``: the big screen's panels for today (intake by channel up to the moment of computing, stage funnel,
  department ranking of the month, 30-day trend, hotline satisfaction, hotspot grids, the overdue list);
- ``screen_layer``: the big screen's open-case layer (the newest open cases with their traffic lights);
- ``home_month``: the supervisor's home-page month panel (headline rates against last month, top and bottom);
- ``period``: a period's full figures (``evaluation.indicators.period_figures``), for the bulletins' period API:
  this month so far and last month.

Beat runs ``evaluation.tasks.refresh_period_figures`` every ``PERIOD_FIGURES_SECONDS``; it recomputes today's
rows (``refresh_current``). Readers call ``read``: one indexed row. A reader that finds no row (a new day, a fresh
install) or one older than ``PERIOD_FIGURES_STALE_SECONDS`` (the workers are down) computes and stores it itself,
so the pages never show figures older than that.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Case as DbCase
from django.db.models import F, JSONField, Q, When
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from evaluation.models import PeriodFigure

logger = logging.getLogger(__name__)


def _screen(start: date, end: date) -> dict:
    from evaluation.screen.data import stored_panels

    return stored_panels(end)


def _screen_layer(start: date, end: date) -> dict:
    from evaluation.screen.data import stored_layer

    return stored_layer()


def _home_month(start: date, end: date) -> dict:
    from evaluation.dashboard.panels import compute_month_panel

    return compute_month_panel(end)


def _period(start: date, end: date) -> dict:
    from evaluation.indicators.periods import compute_period

    return compute_period(start, end)


KINDS: dict[str, Callable[[date, date], dict]] = {
    "screen": _screen,
    "screen_layer": _screen_layer,
    "home_month": _home_month,
    "period": _period,
}


def stale_after() -> timedelta:
    return timedelta(seconds=settings.PERIOD_FIGURES_STALE_SECONDS)


def refresh(kind: str, start: date, end: date) -> PeriodFigure:
    """Compute one kind of figures for ``start``..``end`` and store it over the previous row (safe to run twice)."""
    compute = KINDS[kind]
    at = timezone.now()
    began = time.perf_counter()
    # Through JSON now, so the caller gets what later readers will (dates and times as ISO text).
    data = json.loads(json.dumps(compute(start, end), cls=DjangoJSONEncoder))
    row = PeriodFigure(kind=kind, start=start, end=end, data=data, computed_at=at, seconds=time.perf_counter() - began)
    try:
        with transaction.atomic():
            PeriodFigure.objects.bulk_create(
                [row],
                update_conflicts=True,
                unique_fields=["kind", "start", "end"],
                update_fields=["data", "computed_at", "seconds"],
            )
    except IntegrityError:  # a concurrent refresh of the same row: theirs is as good as ours
        logger.info("concurrent refresh of %s %s..%s", kind, start, end)
    return row


def read(kind: str, start: date, end: date) -> PeriodFigure:
    """The stored row of ``kind`` over ``start``..``end``, computed here if missing or stale."""
    row = PeriodFigure.objects.filter(kind=kind, start=start, end=end).first()
    if row is None or row.computed_at < timezone.now() - stale_after():
        row = refresh(kind, start, end)
    return row


def read_with(
    kind: str, other: str, day: date, newer_than: datetime | None, keys: list[str]
) -> tuple[PeriodFigure, datetime | None, dict | None]:
    """``read(kind, day, day)``, when ``other``'s row of that day was computed (None: none), and — if it was
    computed after ``newer_than`` (or ``newer_than`` is None) — the top-level ``keys`` of its figures, extracted
    by PostgreSQL (not the whole document). One query."""
    newer = Q(kind=other) if newer_than is None else Q(kind=other, computed_at__gt=newer_than)
    extracted = {
        f"key_{key}": DbCase(When(newer, then=KeyTransform(key, "data")), output_field=JSONField()) for key in keys
    }
    rows = list(
        PeriodFigure.objects.filter(kind__in=[kind, other], start=day, end=day)
        .annotate(figures=DbCase(When(kind=kind, then=F("data")), output_field=JSONField()), **extracted)
        .defer("data")
    )
    found = {row.kind: row for row in rows}
    row = found.get(kind)
    if row is None or row.computed_at < timezone.now() - stale_after():
        row = refresh(kind, day, day)
    else:
        row.data = row.figures
    other_row = found.get(other)
    if other_row is None:
        return row, None, None
    values = {key: getattr(other_row, f"key_{key}") for key in keys}
    newer_found = newer_than is None or other_row.computed_at > newer_than
    return row, other_row.computed_at, values if newer_found else None


def current_periods(today: date) -> list[tuple[str, date, date]]:
    """The rows the schedule keeps fresh: today's screen, this month's home panel, this and last month's figures."""
    month = today.replace(day=1)
    last_end = month - timedelta(days=1)
    return [
        ("screen", today, today),
        ("screen_layer", today, today),
        ("home_month", month, today),
        ("period", month, today),
        ("period", last_end.replace(day=1), last_end),
    ]


def refresh_current(today: date | None = None) -> dict[str, float]:
    """Refresh every current row; returns seconds per row. Rows no one has read or refreshed for a week go."""
    today = today or timezone.localdate()
    timings = {}
    for kind, start, end in current_periods(today):
        row = refresh(kind, start, end)
        timings[f"{kind} {start}..{end}"] = row.seconds
    PeriodFigure.objects.filter(computed_at__lt=timezone.now() - timedelta(days=7)).delete()
    return timings
