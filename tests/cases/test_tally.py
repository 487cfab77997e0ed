"""The case tally (cases/tally.py): the queue counts read it, the case table's triggers keep it, and it always
equals a count of the cases themselves — after reports single and batched, transitions, the overdue scan, a
department's sub-unit, folding, a concurrent writer, an archived year and a bypassed trigger."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import timezone

from cases import tally
from cases.choices import CaseStatus as S
from cases.models import Case, CaseTally
from cases.querysets import CaseScope, case_scope
from cases.services import perform, report_batch
from cases.tasks import fold_tally, mark_overdue, repair_tally
from cases.views.queues import QUEUES, _counted, queue_counts, queues_for
from core.choices import Role
from core.models import Department
from core.partitions import ID_SPAN, YEARLY
from tests.fixtures.small_city import report_body

pytestmark = pytest.mark.django_db
CHINA = ZoneInfo("Asia/Shanghai")
EVERYTHING = CaseScope(everything=True)

STEPS = {  # step → (who, its parameters from the cast, the department and the filing condition)
    "send_verify": ("operator", lambda cast, _d, _c: {"collector": cast["collector"].pk}),
    "verify": ("collector", lambda _a, _d, _c: {"verified": True}),
    "accept": ("operator", lambda _a, _d, _c: {}),
    "register": ("leader", lambda _a, _d, condition: {"condition": condition.pk}),
    "dispatch": ("dispatcher", lambda _a, department, _c: {"department": department.pk}),
    "sign": ("handler", lambda _a, _d, _c: {}),
}


def walk(case, cast, department, *steps, condition=None):
    for step in steps:
        who, params = STEPS[step]
        case = perform(case.pk, step, cast[who], **params(cast, department, condition))
    return case


def grouped(rows) -> dict:
    return {(status, overdue): n for status, overdue, n in rows if n}


def live(user) -> dict:
    """The user's cases grouped by (status, overdue), counted from the cases."""
    return grouped(_counted(Case.objects.visible_to(user), [q for q in QUEUES if q.key == "all"]))


@pytest.fixture
def sub_unit(department, make_user):
    unit = Department.objects.create(code="sanitation-east", name="环卫所东片", parent=department)
    return {"unit": unit, "handler": make_user("east_handler", Role.HANDLER, department=unit)}


@pytest.fixture
def busy_city(report, cast, department, other_department, sub_unit, garbage_class):
    """Cases in every early state, with three departments (one a sub-unit of another), one of them overdue."""
    reported = [report() for _ in range(3)]
    steps = ("send_verify", "verify", "accept", "register", "dispatch")

    def to(department, *more):
        return walk(report(), cast, department, *steps, *more, condition=garbage_class["condition"])

    accepted = walk(report(), cast, None, "send_verify", "verify", "accept")
    mine, theirs, east = to(department, "sign"), to(other_department), to(sub_unit["unit"])
    Case.objects.filter(pk=east.pk).update(stage_deadline=timezone.now() - timedelta(minutes=5))
    assert mark_overdue() == 1  # the every-minute scan flags it with one UPDATE
    return {"reported": reported, "accepted": accepted, "mine": mine, "theirs": theirs, "east": east}


def test_the_tally_equals_the_cases_counted_after_reports_transitions_and_the_overdue_scan(busy_city):
    assert tally.drift() == []
    assert grouped(tally.counts(case_scope(None))) == {}
    everything = grouped(tally.counts(EVERYTHING))
    assert everything == {
        (S.REPORTED, False): 3,
        (S.ACCEPTED, False): 1,
        (S.DISPOSING, False): 1,
        (S.DISPATCHED, False): 1,
        (S.DISPATCHED, True): 1,
    }


def test_each_user_counts_exactly_the_cases_they_see(busy_city, cast, sub_unit):
    for user in (cast["supervisor"], cast["dispatcher"], cast["handler"], cast["other_handler"], sub_unit["handler"]):
        assert grouped(tally.counts(case_scope(user))) == live(user), user.username
    # The department sees its sub-unit's case too; the sub-unit only its own; the other department its own.
    assert live(cast["handler"]) == {(S.DISPOSING, False): 1, (S.DISPATCHED, True): 1}
    assert live(sub_unit["handler"]) == {(S.DISPATCHED, True): 1}
    # A collector's cases are no set of departments: counted from the cases.
    assert tally.counts(case_scope(cast["collector"])) is None


def test_queue_counts_read_the_tally_and_stay_exact_for_every_queue(
    busy_city, cast, sub_unit, django_assert_num_queries
):
    dispatcher = cast["dispatcher"]
    queues = queues_for(dispatcher)
    overdue: dict[str, int] = {}
    counts = queue_counts(dispatcher, queues, overdue)
    assert counts["to_dispatch"] == 0 and counts["suspended"] == 0
    assert counts["overdue"] == 1 and counts["open"] == 7 and counts["all"] == 7
    assert overdue["overdue"] == 1 and "all" not in overdue
    # Handlers: their department's subtree, from the tally; a collector's from the cases, the same way.
    assert queue_counts(cast["handler"], queues_for(cast["handler"]))["to_sign"] == 1
    assert queue_counts(sub_unit["handler"], queues_for(sub_unit["handler"]))["to_sign"] == 1
    assert queue_counts(cast["other_handler"], queues_for(cast["other_handler"]))["to_sign"] == 1
    collector = cast["collector"]
    collector_counts = queue_counts(collector, queues_for(collector))
    assert collector_counts["all"] == Case.objects.visible_to(collector).count() == 7
    # Whatever the cases, the status queues cost one query on the tally (and the request queues one more).
    status_only = [q for q in queues if not q.pending_request]
    with django_assert_num_queries(1) as captured:
        queue_counts(dispatcher, status_only)
    assert "cases_casetally" in captured.captured_queries[0]["sql"]


def test_a_batch_adds_one_row_per_group_and_a_write_that_changes_no_group_adds_none(cast, base_map, garbage_class):
    before = CaseTally.objects.count()
    items = [report_body(source="collector" if i % 4 else "self_disposal") for i in range(12)]
    report_batch(reporter=cast["collector"], items=items, sources=("collector", "self_disposal"))
    added = list(CaseTally.objects.order_by("status").values_list("status", "cases")[before:])
    assert sorted(added) == [(S.REPORTED, 9), (S.SELF_DISPOSED, 3)]
    rows = CaseTally.objects.count()
    Case.objects.update(description="已核实", updated_at=timezone.now())  # no status, department or flag moved
    assert CaseTally.objects.count() == rows and tally.drift() == []


def test_folding_leaves_one_row_per_group_and_the_same_counts(busy_city):
    everything = EVERYTHING
    counts = grouped(tally.counts(everything))
    assert CaseTally.objects.count() > len(counts)  # the transitions' −1/+1 rows
    assert tally.fold() is True
    groups = CaseTally.objects.values_list("department_id", "status", "is_overdue")
    assert len(groups) == len(set(groups)) and not CaseTally.objects.filter(cases=0).exists()
    assert grouped(tally.counts(everything)) == counts and tally.drift() == []
    assert fold_tally() is False  # nothing left to fold: the beat task changes nothing


def test_a_bypassed_trigger_is_found_and_recounted_by_the_nightly_repair(busy_city, cast, caplog):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # a restore: user triggers do not fire
        cursor.execute("UPDATE cases_case SET status = %s WHERE status = %s", [S.REGISTERED, S.REPORTED])
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert sorted(tally.drift()) == [(None, S.REGISTERED, False, 0, 3), (None, S.REPORTED, False, 3, 0)]
    assert repair_tally() == 2
    assert "case tally drifted" in caplog.text
    assert tally.drift() == [] and repair_tally() == 0
    assert queue_counts(cast["dispatcher"], queues_for(cast["dispatcher"]))["to_dispatch"] == 3


def test_an_archived_year_of_cases_leaves_the_tally(new_case):
    YEARLY["cases_case"].ensure({2004})
    YEARLY["cases_caseevent"].ensure({2004})
    new_case(id=2004 * ID_SPAN + 1, at=datetime(2004, 3, 1, 9, 0, tzinfo=CHINA))
    new_case()
    assert grouped(tally.counts(EVERYTHING)) == {(S.REPORTED, False): 2}
    call_command("detach_year", "2004", "--with-cases", stdout=StringIO())
    assert grouped(tally.counts(EVERYTHING)) == {(S.REPORTED, False): 1} and tally.drift() == []


def test_emptying_the_case_table_empties_the_tally(busy_city):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred checks of the writes above, first
        cursor.execute("TRUNCATE cases_case CASCADE")
    assert not CaseTally.objects.exists() and tally.drift() == []


@pytest.mark.django_db(transaction=True)
def test_a_fold_while_another_transaction_writes_loses_nothing(report, cast):
    report(), report()  # committed: two rows of one group, to fold
    writer = connections.create_connection("default")  # a second session of its own
    try:
        writer.set_autocommit(False)
        with writer.cursor() as cursor:  # a transition in flight: its tally rows written, not committed
            cursor.execute("UPDATE cases_case SET status = %s", [S.ACCEPTED])
        assert tally.fold() is True  # folds the rows it sees, without waiting for the writer
        assert grouped(tally.counts(EVERYTHING)) == {(S.REPORTED, False): 2}
        writer.commit()
    finally:
        writer.close()
    assert grouped(tally.counts(EVERYTHING)) == {(S.ACCEPTED, False): 2}
    assert tally.drift() == [] and tally.fold() is True and tally.drift() == []


def test_the_check_command_names_a_drift_and_repairs_it_on_request(busy_city):
    out = StringIO()
    call_command("check_case_tally", stdout=out)
    assert "agrees with the cases" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE cases_case SET is_overdue = TRUE WHERE status = %s", [S.ACCEPTED])
        cursor.execute("SET LOCAL session_replication_role = origin")
    out = StringIO()
    with pytest.raises(CommandError, match=r"disagrees with the cases in 2 group\(s\)"):
        call_command("check_case_tally", stdout=out)
    assert "department -, accepted overdue: 0 tallied, 1 counted" in out.getvalue()
    call_command("check_case_tally", "--repair", stdout=StringIO())
    assert tally.drift() == []
