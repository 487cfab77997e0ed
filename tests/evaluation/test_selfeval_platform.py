"""Recompute from the platform on real cases: the hand-built March 2026 of tests/evaluation/casebook.py replayed
through the workflow, read back through evaluation.metrics into a 2026 self-evaluation's bound indicators."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from evaluation.selfeval import services
from tests.evaluation.selfeval_helpers import make_evaluation
from tests.fixtures.casebook import mark_overdue_and_sync

pytestmark = pytest.mark.django_db


def test_bound_indicators_take_the_years_case_figures(story, personas):
    from evaluation.metrics import system_metric

    mark_overdue_and_sync()
    evaluation = make_evaluation(year=2026)
    services.refresh_from_platform(evaluation.pk, personas["finance"])
    rows = {i.name: i for i in evaluation.indicators.all()}
    start, end = services.year_period(2026)

    disposal = rows["案件处置率"]
    assert disposal.actual_value == D("71.43")  # 5 disposed of 7 to dispose, all in March
    assert disposal.score == D("7.52")  # 71.43 / 95 × 10
    assert disposal.sources["actual"]["metric"] == "disposal_rate"
    assert disposal.sources["actual"]["start"] == "2026-01-01"
    assert rows["案件结案率"].actual_value == D("71.43")
    volume = rows["每月案件处理总量"]
    assert volume.actual_value == system_metric("cases_per_month", start, end) > 0
    assert volume.score == (volume.actual_value / 1000 * 10).quantize(D("0.01"))
    evaluation.refresh_from_db()
    assert evaluation.total == sum(
        (i.score for i in rows.values() if i.score is not None), evaluation.funds_score
    ).quantize(D("0.01"))
