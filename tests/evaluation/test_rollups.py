"""The rollups kept on each transition equal a rebuild from scratch; intake and bulk overdue flags reach them."""

from __future__ import annotations

from datetime import UTC, date

import pytest
from django.db import connection

from tests.fixtures.casebook import at, mark_overdue_and_sync

pytestmark = pytest.mark.django_db

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
TABLES = [
    "evaluation_casefact",
    "evaluation_departmentday",
    "evaluation_communityday",
    "evaluation_sourceday",
    "evaluation_gridday",
    "evaluation_personday",
]


def snapshot() -> dict[str, set[tuple]]:
    """Every rollup row that carries a figure (rows summed down to zero by upkeep say nothing), without ids."""
    result = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {table}")
            names = [c.name for c in cursor.description]
            keep = [i for i, n in enumerate(names) if n != "id"]
            dims = {"case_id", "day", "department_id", "community_code", "grid_code", "source", "kind", "user_id"}
            dims |= {n for n in names if n.endswith("_id")}
            measures = [i for i, n in enumerate(names) if n not in dims and n != "id"]
            rows = set()
            for row in cursor.fetchall():
                if table != "evaluation_casefact" and not any(row[i] for i in measures):
                    continue
                rows.add(tuple(row[i] for i in keep))
            result[table] = rows
    return result


def test_rebuild_equals_incremental_upkeep(story):
    from evaluation.rollups import rebuild

    mark_overdue_and_sync()
    incremental = snapshot()
    # Facts are kept for open cases (suspended, overdue) and reworked ones; the rest counted for good.
    assert {row[0] for row in incremental["evaluation_casefact"]} == {
        story[key].pk for key in ("suspended", "overdue", "rework")
    }
    assert incremental["evaluation_departmentday"] and incremental["evaluation_personday"]
    rebuild()
    rebuilt = snapshot()
    assert rebuilt == incremental


def test_a_repeated_listener_call_counts_nothing_twice(story):
    from evaluation.indicators import overall
    from evaluation.rollups import upkeep

    before = overall(*MARCH).totals
    upkeep(*[case.pk for case in story.values()])  # terminal cases without a fact were counted for good
    assert overall(*MARCH).totals == before


def test_upkeep_applies_differences_not_totals(story, act, cast):
    """A transition moves a case between rollup rows: the old row loses it, the new one gains it."""
    from evaluation.models import DepartmentDay

    def dept_totals():
        return {
            row["department_id"]: row["to_dispose"]
            for row in DepartmentDay.objects.values("department_id", "to_dispose")
            if row["to_dispose"]
        }

    before = dept_totals()
    case = story["suspended"]
    act(case, "resume", cast["dispatcher"], at(5, 9))
    act(case, "request_cancel", cast["operator"], at(5, 9, 20), reason="无法处置")
    act(case, "approve_cancel", cast["leader"], at(5, 9, 30), opinion="无法处置")
    after = dept_totals()
    assert sum(after.values()) == sum(before.values()) - 1


def test_new_reports_reach_the_rollups_in_bulk(report, act, cast, django_capture_on_commit_callbacks):
    """Intake's report event is not applied one by one (a report costs no rollup work); ``sync_facts`` applies new
    reports in bulk, once, and the first later transition of a case not yet applied counts it correctly too."""
    from evaluation.indicators import overall
    from evaluation.models import CaseFact
    from evaluation.rollups import sync_facts

    with django_capture_on_commit_callbacks(execute=True):
        first, second = report(), report()
    assert not CaseFact.objects.filter(case_id__in=[first.pk, second.pk]).exists()
    assert sync_facts() == 2 and sync_facts() == 0
    fact = CaseFact.objects.get(case_id=first.pk)
    assert fact.reported == 1 and fact.grid_code == first.grid_code and fact.reporter_id == first.reporter_id

    with django_capture_on_commit_callbacks(execute=True):
        third = report()
    act(third, "accept", cast["operator"], third.received_at)  # a transition before the bulk catch-up
    assert CaseFact.objects.get(case_id=third.pk).reported == 1
    assert sync_facts() == 0
    from django.utils import timezone

    day = timezone.localdate(third.received_at)
    assert overall(day, day).count("reported") == 3


def test_bulk_overdue_flags_reach_the_facts(open_case, act, cast, wf_class, department):
    from evaluation.models import CaseFact

    case = open_case(at(2, 9))
    act(case, "accept", cast["operator"], at(2, 9, 5))
    act(case, "register", cast["leader"], at(2, 9, 10), condition=wf_class["condition"].pk)
    act(case, "dispatch", cast["dispatcher"], at(2, 9, 15), department=department.pk)
    assert CaseFact.objects.get(case_id=case.pk).overdue_open == 0
    assert mark_overdue_and_sync() == 1  # flagged by cases.tasks.mark_overdue's bulk UPDATE
    assert CaseFact.objects.get(case_id=case.pk).overdue_open == 1
    assert mark_overdue_and_sync() == 0  # nothing left to fix


def test_rebuild_command(story, capsys):
    from django.core.management import call_command

    from evaluation.models import CaseFact

    call_command("rebuild_rollups")
    assert CaseFact.objects.count() == 3  # open and reworked cases
    assert "rollups rebuilt" in capsys.readouterr().out


def test_upkeep_keeps_no_session_state_and_survives_a_lost_function(story, act, cast):
    """Behind PgBouncer in transaction mode each statement may reach another server session: upkeep prepares
    nothing in the session (its statement is a function, planned and cached by PostgreSQL), and a function that
    vanished (a restored dump, a rolled-back creation) is created again."""
    from evaluation.indicators import overall
    from evaluation.rollups import _upkeep_function

    name = _upkeep_function().name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP FUNCTION IF EXISTS {name}(bigint[])")
    act(story["suspended"], "resume", cast["dispatcher"], at(5, 9))
    assert overall(*MARCH).count("suspended_open") == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'evaluation%%'")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT to_regproc(%s) IS NOT NULL", [name])
        assert cursor.fetchone()[0]


def reported_on(day: date) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(reported), 0) FROM evaluation_sourceday WHERE day = %s", [day])
        return cursor.fetchone()[0]


def hotspot_counts(period: date, grain: int = 0) -> tuple[int, int]:
    """(cases in the grid ranking's total row, cases in the heat map's all-classes cells) of a day or month."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(cases), 0) FROM evaluation_hotspotday WHERE day = %s AND class_id = 0 AND source = ''"
            " AND grid_code <> ''",
            [period],
        )
        grids = cursor.fetchone()[0] if grain == 0 else 1
        cursor.execute(
            "SELECT coalesce(sum(cases), 0) FROM evaluation_heatcell WHERE grain = %s AND period = %s "
            "AND class_id = 0 AND source = ''",
            [grain, period],
        )
        return grids, cursor.fetchone()[0]


def test_the_nightly_rebuild_recomputes_only_the_months_whose_cases_changed(new_case):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from cases.models import Case
    from evaluation.hotspots.aggregation import rebuild as rebuild_hotspots
    from evaluation.models import RollupBuild, RollupScope
    from evaluation.rollups import rebuild, rebuild_changed
    from evaluation.tasks import rebuild_rollups

    china = ZoneInfo("Asia/Shanghai")
    march = new_case(at=datetime(2026, 3, 10, 9, 0, tzinfo=china))
    june = new_case(at=datetime(2026, 6, 10, 9, 0, tzinfo=china))
    Case.objects.filter(pk=june.pk).update(updated_at=timezone.now() - timedelta(days=2))
    rebuild()  # the last full rebuild, recorded
    rebuild_hotspots()
    assert hotspot_counts(date(2026, 6, 10)) == (1, 1)
    assert RollupBuild.objects.get().scope == RollupScope.FULL
    assert reported_on(date(2026, 3, 10)) == reported_on(date(2026, 6, 10)) == 1
    with connection.cursor() as cursor:  # both months' rollups and hotspot counts drift (a listener that failed)
        cursor.execute("UPDATE evaluation_sourceday SET reported = reported + 100")
        cursor.execute("UPDATE evaluation_hotspotday SET cases = cases + 100")
        cursor.execute("UPDATE evaluation_heatcell SET cases = cases + 100")
    Case.objects.filter(pk=march.pk).update(updated_at=timezone.now())  # only March's case changed since

    rebuild_rollups()  # the nightly task

    build = RollupBuild.objects.order_by("-started_at").first()
    assert build.scope == RollupScope.CHANGED and build.months == [date(2026, 3, 1)]
    assert build.since < build.started_at and "rollups" in build.timings
    assert reported_on(date(2026, 3, 10)) == 1  # rebuilt
    assert reported_on(date(2026, 6, 10)) == 101  # not looked at: its cases did not change
    assert hotspot_counts(date(2026, 3, 10)) == (1, 1) and hotspot_counts(date(2026, 3, 1), grain=1) == (1, 1)
    assert hotspot_counts(date(2026, 6, 10)) == (101, 101)

    rebuild_changed()  # again at once: March is looked at again (within CHANGE_MARGIN of the last start), harmlessly
    assert RollupBuild.objects.order_by("-started_at").first().months == [date(2026, 3, 1)]
    assert reported_on(date(2026, 3, 10)) == 1
    Case.objects.update(updated_at=timezone.now() - timedelta(days=2))  # nothing changed for longer than the margin
    rebuild_changed()
    assert RollupBuild.objects.order_by("-started_at").first().months == []

    late = new_case(at=datetime(2026, 5, 5, 9, 0, tzinfo=china))  # written now, carrying an older time
    Case.objects.filter(pk=late.pk).update(updated_at=timezone.now() - timedelta(days=2))
    rebuild_changed()  # a case written since the last rebuild is looked at whatever its updated_at says
    assert RollupBuild.objects.order_by("-started_at").first().months == [date(2026, 5, 1)]
    assert reported_on(date(2026, 5, 5)) == 1


def test_a_change_of_the_measures_makes_the_next_nightly_rebuild_a_full_one(new_case):
    from django.utils import timezone

    from evaluation.models import RollupBuild, RollupScope
    from evaluation.rollups import measures_version, rebuild_changed

    new_case()
    now = timezone.now()
    RollupBuild.objects.create(
        scope=RollupScope.FULL, measures="0" * 12, started_at=now, finished_at=now, seconds=1.0
    )  # made by an older version of the measures
    rebuild_changed()
    latest = RollupBuild.objects.order_by("-started_at").first()
    assert latest.scope == RollupScope.FULL and latest.measures == measures_version() != "0" * 12


def test_a_month_rebuilt_alone_equals_the_full_rebuild(story):
    from evaluation.rollups import rebuild

    mark_overdue_and_sync()
    rebuild()
    full = snapshot()
    assert full["evaluation_personday"]  # the month's path reads the timeline case by case: people included
    rebuild(days=(date(2026, 3, 1), date(2026, 4, 1)))
    assert snapshot() == full


def test_the_nightly_rebuild_takes_cases_received_in_year_1_and_in_december_9999(new_case):
    """Stored values the calendar can just hold (a planted row, a clock gone wrong) must not stop the nightly job."""
    from datetime import datetime

    from cases.models import Case
    from evaluation.models import RollupBuild
    from evaluation.rollups import rebuild
    from evaluation.tasks import rebuild_rollups

    first, last = new_case(), new_case()
    rebuild()
    Case.objects.filter(pk=first.pk).update(received_at=datetime(1, 1, 1, tzinfo=UTC))
    Case.objects.filter(pk=last.pk).update(received_at=datetime(9999, 12, 31, 12, tzinfo=UTC))

    rebuild_rollups()

    build = RollupBuild.objects.order_by("-started_at").first()
    assert build.months[0] == date(1, 1, 1) and build.months[-1] == date(9999, 12, 1)
    assert reported_on(date(9999, 12, 31)) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(cases), 0) FROM evaluation_hotspotday WHERE day = '9999-12-31'")
        assert cursor.fetchone()[0] > 0
