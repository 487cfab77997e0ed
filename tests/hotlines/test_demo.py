"""The demo seed: about a hundred orders at a small scale with realistic outcomes, deterministic and idempotent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hotlines.demo import seed_hotlines
from hotlines.indicators import hotline_indicators
from hotlines.models import Camera, WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db

YEAR_END = date(2026, 10, 31)


def test_seed_is_realistic_and_idempotent(cast, base_map, garbage_class, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = seed_hotlines(seed=3, scale=0.01, year_end=YEAR_END)
    assert first["orders"] == 106 and first["platform_account"] == 1  # the year's 100 and 6 fresh ones
    assert first["cameras"] >= 1 and first["inspections"] >= 6
    numbers = set(WorkOrder.objects.values_list("external_no", flat=True))
    events = WorkOrderEvent.objects.count()
    # The first calls may fall on the weekend before the year's first day: the seed moves most weekend calls back.
    figures = hotline_indicators(date(2025, 10, 25), YEAR_END)
    assert figures["orders"] == 100
    assert figures["satisfaction_rate"] is not None and figures["satisfaction_rate"] >= 85
    assert figures["direct_answered"] > 0 and figures["reply_rate"] >= 95
    assert not WorkOrder.objects.exclude(status="completed").filter(received_at__date__lt=date(2026, 10, 1)).exists()

    with django_capture_on_commit_callbacks(execute=True):
        again = seed_hotlines(seed=3, scale=0.01, year_end=YEAR_END)
    assert again["orders"] == 0 and again["cameras"] == 0 and again["platform_account"] == 0
    assert set(WorkOrder.objects.values_list("external_no", flat=True)) == numbers
    assert WorkOrderEvent.objects.count() == events
    assert Camera.objects.count() == first["cameras"]


def test_seeding_on_another_day_adds_nothing_and_each_serial_has_one_hotline(
    cast, base_map, garbage_class, django_capture_on_commit_callbacks
):
    """A second run after midnight (the year ends a day later, on another weekday) finds every number it made."""
    with django_capture_on_commit_callbacks(execute=True):
        seed_hotlines(seed=3, scale=0.01, year_end=YEAR_END)
    numbers = set(WorkOrder.objects.values_list("external_no", flat=True))
    for days in (1, 2):
        with django_capture_on_commit_callbacks(execute=True):
            again = seed_hotlines(seed=3, scale=0.01, year_end=YEAR_END + timedelta(days=days))
        assert again["orders"] == 0
    assert set(WorkOrder.objects.values_list("external_no", flat=True)) == numbers
    serials = [number[2:] for number in numbers]
    assert len(serials) == len(set(serials))


def test_seed_leaves_orders_to_transfer(cast, base_map, garbage_class, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seed_hotlines(seed=3, scale=0.01, year_end=YEAR_END)
    fresh = WorkOrder.objects.filter(status="received", received_at__date__gt=YEAR_END)
    assert fresh.count() == 6
