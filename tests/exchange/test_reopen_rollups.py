"""A return visit answered 不满意 reopens a closed citizens' report: the evaluation rollups follow it exactly (the
closed case kept its fact row, so the reopening applies a true difference), as a full rebuild confirms."""

from __future__ import annotations

import pytest

from cases.services.visits import revisit_by_reporter
from tests.evaluation.test_rollups import snapshot
from tests.exchange.conftest import TO_CLOSED, public_report, walk
from tests.fixtures.casebook import mark_overdue_and_sync

pytestmark = pytest.mark.django_db


def test_reopening_keeps_the_rollups_equal_to_a_rebuild(city, department, django_capture_on_commit_callbacks):
    from evaluation.rollups import rebuild

    cast = city["cast"]
    condition = city["class"]["condition"].pk
    with django_capture_on_commit_callbacks(execute=True):
        case = public_report().case
    mark_overdue_and_sync()  # new reports reach the rollups in bulk
    with django_capture_on_commit_callbacks(execute=True):
        case = walk(case, cast, *TO_CLOSED, department=department, condition=condition)
    with django_capture_on_commit_callbacks(execute=True):
        revisit_by_reporter(case.pk, "unsatisfied")
    incremental = snapshot()
    assert case.pk in {row[0] for row in incremental["evaluation_casefact"]}
    rebuild()
    assert snapshot() == incremental
    with django_capture_on_commit_callbacks(execute=True):
        walk(case, cast, "send_check", "check", "close")
    with django_capture_on_commit_callbacks(execute=True):
        revisit_by_reporter(case.pk, "satisfied")
    incremental = snapshot()
    rebuild()
    assert snapshot() == incremental
