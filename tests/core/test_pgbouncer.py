"""Behind PgBouncer in transaction mode (DB_POOLER=transaction): every transaction may run on another server session,
so nothing may rely on session state. A private PgBouncer (pool of two server connections, kept churning by another
client) carries a report, its transitions with the rollup upkeep, the bulk rollup sync, the grid look-up in the
database and the list API."""

from __future__ import annotations

import threading
from datetime import date

import psycopg2
import pytest
from django.db import connections

from cases.choices import CaseStatus
from cases.models import Case
from cases.services import perform
from evaluation import rollups
from evaluation.models import CaseFact
from tests.fixtures.small_city import INSIDE
from tests.fixtures.small_city import report_body as report
from tests.private_pgbouncer import PrivatePgBouncer


@pytest.fixture
def pgbouncer(settings, transactional_db):
    """The test's default connection, and every thread's, goes through a private PgBouncer for the test."""
    database = connections["default"].settings_dict
    bouncer = PrivatePgBouncer(database["HOST"], database["PORT"], database["USER"]).start()
    saved = {key: database.get(key) for key in ("PORT", "DISABLE_SERVER_SIDE_CURSORS", "CONN_HEALTH_CHECKS")}
    connections["default"].close()
    database.update(PORT=str(bouncer.port), DISABLE_SERVER_SIDE_CURSORS=True, CONN_HEALTH_CHECKS=True)
    settings.DB_POOLER = "transaction"
    try:
        yield bouncer
    finally:
        connections["default"].close()
        database.update(saved)
        bouncer.stop()


def raw(bouncer, name: str):
    dsn = connections["default"].settings_dict
    link = psycopg2.connect(host="127.0.0.1", port=bouncer.port, user=dsn["USER"], dbname=dsn["NAME"])
    link.autocommit = True
    return link


class Churn(threading.Thread):
    """Another client taking the pool's server connections in short transactions, so ours keep changing."""

    def __init__(self, bouncer) -> None:
        super().__init__(daemon=True)
        self.link = raw(bouncer, "churn")
        self.stopping = threading.Event()
        self.transactions = 0

    def run(self) -> None:
        with self.link.cursor() as cursor:
            while not self.stopping.is_set():
                cursor.execute("BEGIN; SELECT pg_sleep(0.003); COMMIT")
                self.transactions += 1

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)
        self.link.close()


def test_the_pooler_really_hands_a_client_another_server_session(pgbouncer):
    """The premise: session state (here a prepared statement) is lost between transactions through this PgBouncer."""
    first, second = raw(pgbouncer, "a"), raw(pgbouncer, "b")
    try:
        with first.cursor() as a, second.cursor() as b:
            a.execute("PREPARE probe AS SELECT 1")
            b.execute("BEGIN; SELECT 1")  # holds the server session that saw the PREPARE
            with pytest.raises(psycopg2.errors.InvalidSqlStatementName):
                a.execute("EXECUTE probe")
            b.execute("COMMIT")
    finally:
        first.close()
        second.close()


def test_reports_transitions_rollups_and_lists_through_pgbouncer(
    pgbouncer, api_as, cast, base_map, garbage_class, department
):
    from grids.spatial import _locate_in_database

    churn = Churn(pgbouncer)
    churn.start()
    try:
        numbers = []
        for _ in range(4):
            response = api_as(cast["collector"]).post("/api/v1/cases/", report(), format="json")
            assert response.status_code == 201, response.content
            case_id = response.json()["id"]
            perform(case_id, "accept", cast["operator"])
            perform(case_id, "register", cast["leader"], condition=garbage_class["condition"].pk)
            case = perform(case_id, "dispatch", cast["dispatcher"], department=department.pk)
            assert case.status == CaseStatus.DISPATCHED
            numbers.append(case.case_no)
        assert rollups.sync_facts() >= 0  # the bulk path of the upkeep
        for _ in range(5):
            assert _locate_in_database(INSIDE[0], INSIDE[1], date.today()).grid_code == "500120001001001"
        listed = api_as(cast["dispatcher"]).get("/api/v1/cases/?page_size=50")
        assert listed.status_code == 200
        assert set(numbers) <= {row["case_no"] for row in listed.json()["results"]}
        assert len(list(Case.objects.order_by("pk").iterator(chunk_size=2))) == 4  # no server-side cursor
    finally:
        churn.stop()
    assert churn.transactions > 10  # the pool's sessions really were shared meanwhile
    dispatched = Case.objects.filter(status=CaseStatus.DISPATCHED).values_list("pk", flat=True)
    assert CaseFact.objects.filter(case_id__in=dispatched).count() == 4  # every upkeep applied
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == 0
