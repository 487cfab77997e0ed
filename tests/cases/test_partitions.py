"""The cases, the timeline and the fact table are partitioned by year: rows land in their year, an old history lands
in the DEFAULT partition and moves into its own when the year is created, and a past year is detached for archiving.
The case table's partitions are years of its ids, and its unique keys live in ``cases_casekey``, across years."""

from __future__ import annotations

import uuid
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseKey
from cases.models.case import PARTITIONS as CASES
from cases.models.events import PARTITIONS as EVENTS
from cases.timeline import record_event
from core.partitions import ID_SPAN, YEARLY, children, is_partitioned
from core.tasks import create_year_partitions
from evaluation.models import CaseFact
from evaluation.models.facts import FACT_PARTITIONS as FACTS
from evaluation.rollups import upkeep

pytestmark = pytest.mark.django_db
CHINA = ZoneInfo("Asia/Shanghai")


def partition_of(table: str, where: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE {where}", params)
        return cursor.fetchone()[0]


def primary_key(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY a.attnum",
            [table],
        )
        return sorted(row[0] for row in cursor.fetchall())


def test_the_cases_the_timeline_and_the_facts_are_partitioned_by_year_with_the_key_inside_the_primary_key():
    assert set(YEARLY) == {"cases_case", "cases_caseevent", "evaluation_casefact"}
    year = timezone.localdate().year
    for table in YEARLY:
        assert is_partitioned(table)
        assert {f"{table}_y{year}", f"{table}_y{year + 1}", f"{table}_default"} <= set(children(table))
    assert primary_key("cases_case") == ["id"]
    assert "cases_case_legacy" in children("cases_case")  # ids from before the conversion: the DEFAULT stays empty
    assert primary_key("cases_caseevent") == ["at", "id"]
    assert primary_key("evaluation_casefact") == ["case_id", "day"]
    with connection.cursor() as cursor:  # every table that refers to a case still has its foreign key
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE confrelid = 'cases_case'::regclass AND contype = 'f' "
            "AND conparentid = 0 AND conrelid <> confrelid"
        )
        assert cursor.fetchone()[0] == 12  # the case keys have none (cases.models.keys)


def explain(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_a_new_case_draws_its_id_from_this_years_range_and_a_look_up_by_id_reads_one_partition(report):
    case = report()
    year = timezone.localdate().year
    assert case.pk // ID_SPAN == year
    assert partition_of("cases_case", "id = %s", [case.pk]) == f"cases_case_y{year}"
    plan = explain("SELECT * FROM cases_case WHERE id = %s", [case.pk])
    assert f"cases_case_y{year}" in plan and "cases_case_default" not in plan and f"y{year + 1}" not in plan
    key = CaseKey.objects.get(case=case)
    assert (key.case_no, key.client_uuid) == (case.case_no, case.client_uuid)
    event = CaseEvent.objects.get(case=case)  # the timeline's foreign key to the partitioned table holds
    assert event.case_id == case.pk


def test_a_client_uuid_used_last_year_is_still_answered_with_its_case(report, new_case, cast):
    last_year = timezone.localdate().year - 1
    CASES.ensure({last_year})
    key = uuid.uuid4()
    old = new_case(id=last_year * ID_SPAN + 7, client_uuid=key, at=datetime(last_year, 12, 31, 23, 50, tzinfo=CHINA))
    assert partition_of("cases_case", "id = %s", [old.pk]) == f"cases_case_y{last_year}"

    again = report(client_uuid=key)  # the collector's retry after New Year

    assert again.pk == old.pk
    assert Case.objects.filter(client_uuid=key).count() == 1


def test_a_case_number_or_client_uuid_is_unique_across_years(new_case):
    last_year = timezone.localdate().year - 1
    CASES.ensure({last_year})
    first = new_case(client_uuid=uuid.uuid4())
    with pytest.raises(IntegrityError), transaction.atomic():
        new_case(id=last_year * ID_SPAN + 1, case_no=first.case_no)
    with pytest.raises(IntegrityError), transaction.atomic():
        new_case(id=last_year * ID_SPAN + 2, client_uuid=first.client_uuid)
    Case.objects.filter(pk=first.pk).update(case_no="T-renumbered")  # a changed number follows into the key
    assert CaseKey.objects.get(case=first).case_no == "T-renumbered"
    assert CaseKey.objects.count() == Case.objects.count() == 1


def test_a_past_year_of_cases_is_detached_only_once_nothing_live_refers_to_it(new_case, cast):
    CASES.ensure({2004, 2005})
    EVENTS.ensure({2004})
    lone = new_case(id=2004 * ID_SPAN + 1, at=datetime(2004, 3, 1, 9, 0, tzinfo=CHINA))  # its event: 2004 too
    kept = new_case(id=2005 * ID_SPAN + 1, at=datetime(2005, 12, 30, 9, 0, tzinfo=CHINA))
    record_event(kept, "urge", cast["dispatcher"], kept.status, kept.status)  # this year: still in the live timeline

    out = StringIO()
    call_command("detach_year", "2005", stdout=out)  # without --with-cases: the cases stay, whatever refers to them
    assert "cases_case:" not in out.getvalue() and "cases_case_y2005" in children("cases_case")
    with pytest.raises(CommandError, match=r"cases_case: .*violates foreign key constraint.*archived first"):
        call_command("detach_year", "2005", "--with-cases", stdout=StringIO())
    assert "cases_case_y2005" in children("cases_case") and Case.objects.filter(pk=kept.pk).exists()

    out = StringIO()
    call_command("detach_year", "2004", "--with-cases", stdout=out)
    assert "cases_case: detached cases_case_y2004" in out.getvalue()
    assert "cases_case_y2004" not in children("cases_case") and "cases_caseevent_y2004" not in children(
        "cases_caseevent"
    )
    assert not Case.objects.filter(pk=lone.pk).exists() and not CaseKey.objects.filter(case_id=lone.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT case_no FROM cases_case_y2004 WHERE id = %s", [lone.pk])
        assert cursor.fetchone()[0] == lone.case_no


def test_an_event_is_stored_in_its_china_time_year_and_read_back_by_id(new_case):
    # 2025-12-31 17:30 UTC is already 2026-01-01 in China: the year of the partition is China's.
    moment = datetime(2026, 1, 1, 1, 30, tzinfo=CHINA)
    EVENTS.ensure({2025, 2026})
    case = new_case(at=moment)
    event = CaseEvent.objects.get(case=case)
    assert partition_of("cases_caseevent", "id = %s", [event.pk]) == "cases_caseevent_y2026"
    assert CaseEvent.objects.filter(pk=event.pk).exists()
    upkeep(case.pk)  # the fact's upsert names (case_id, day)
    upkeep(case.pk)  # twice: still one row
    assert CaseFact.objects.filter(case_id=case.pk).count() == 1
    assert partition_of("evaluation_casefact", "case_id = %s", [case.pk]) == "evaluation_casefact_y2026"


def test_events_stay_append_only_in_every_partition(new_case):
    case = new_case(at=datetime(2026, 3, 2, 9, 0, tzinfo=CHINA))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE cases_caseevent SET opinion = 'x' WHERE case_id = %s", [case.pk])


def test_an_old_history_lands_in_the_default_partition_and_moves_into_its_year_when_created(new_case):
    case = new_case(at=datetime(2001, 5, 4, 10, 0, tzinfo=CHINA))
    event = CaseEvent.objects.get(case=case)
    assert partition_of("cases_caseevent", "id = %s", [event.pk]) == "cases_caseevent_default"
    assert 2001 in EVENTS.years_in_default()

    create_year_partitions()  # the nightly task adopts the years found in the default partitions

    assert partition_of("cases_caseevent", "id = %s", [event.pk]) == "cases_caseevent_y2001"
    assert 2001 not in EVENTS.years_in_default()
    assert CaseEvent.objects.get(pk=event.pk).action == "report"
    assert EVENTS.ensure({2001}) == 0  # twice: nothing more


def test_a_past_year_is_detached_whole_and_kept_read_only_for_the_dump(new_case):
    case = new_case(at=datetime(2003, 2, 1, 8, 0, tzinfo=CHINA))
    EVENTS.ensure({2003})
    FACTS.ensure({2003})
    out = StringIO()
    call_command("detach_year", "2003", stdout=out)
    assert "pg_dump -t cases_caseevent_y2003" in out.getvalue()
    assert "cases_caseevent_y2003" not in children("cases_caseevent")
    assert "evaluation_casefact_y2003" not in children("evaluation_casefact")
    assert not CaseEvent.objects.filter(case=case).exists()  # archived with the year
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_caseevent_y2003 WHERE case_id = %s", [case.pk])
        assert cursor.fetchone()[0] == 1
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_caseevent_y2003")
    from core.models import AuditEntry

    assert AuditEntry.objects.filter(action="partitions.detach_year").exists()


def test_the_current_year_cannot_be_detached():
    with pytest.raises(CommandError, match="year"):
        call_command("detach_year", str(timezone.localdate().year), stdout=StringIO())
    assert f"cases_caseevent_y{timezone.localdate().year}" in children("cases_caseevent")
