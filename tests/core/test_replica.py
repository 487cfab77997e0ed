"""DATABASE_REPLICA_URL: reports, exports, bulletins and the big screen read the replica, a user who just wrote reads
the primary, and without a replica every query stays on the primary. The replica alias here is a second connection
to the test database (a test mirror), so what is tested is where each query goes."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from core.replica import COOKIE, REPLICA, ReplicaRouter, replica_reads


@pytest.fixture
def replica():
    """A "replica" alias: another connection to the test database, added after the test's database set-up."""
    connections.settings[REPLICA] = {**connections.settings["default"]}
    connections[REPLICA].connect()  # opened here: Django's test case allows only the aliases it knew at its start
    try:
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


def where(client, url: str, **extra) -> tuple[int, list[str], list[str]]:
    """Status of GET *url*, and the SQL run on the primary and on the replica meanwhile."""
    with CaptureQueriesContext(connections["default"]) as primary:
        if REPLICA in connections.settings:
            with CaptureQueriesContext(connections[REPLICA]) as copy:
                response = client.get(url, **extra)
            return response.status_code, [q["sql"] for q in primary], [q["sql"] for q in copy]
        response = client.get(url, **extra)
    return response.status_code, [q["sql"] for q in primary], []


@pytest.mark.django_db
def test_without_a_replica_every_query_uses_the_primary(client, personas, new_case):
    new_case()
    client.force_login(personas["dispatcher"])
    status, primary, copy = where(client, reverse("screen:data"))
    assert status == 200 and any("cases_case" in sql for sql in primary) and copy == []
    with replica_reads() as active:
        assert not active and Case.objects.all().db == "default"


@pytest.mark.django_db(transaction=True)
def test_reports_and_exports_read_the_replica_after_a_login_checked_on_the_primary(
    replica, client, api_as, personas, new_case
):
    case = new_case()
    client.force_login(personas["dispatcher"])
    status, primary, copy = where(client, reverse("screen:data"))
    assert status == 200 and case.case_no in client.get(reverse("screen:data")).content.decode()
    assert any("cases_case" in sql for sql in copy) and not any("cases_case" in sql for sql in primary)
    assert any("django_session" in sql for sql in primary) and not any("django_session" in sql for sql in copy)

    status, primary, copy = where(client, reverse("cases:export"))
    assert status == 200 and any("cases_case" in sql for sql in copy)
    assert any("core_auditentry" in sql for sql in primary)  # the export's audit entry: a write, on the primary

    api = api_as(personas["supervisor"])
    status, primary, copy = where(api, "/api/v1/bulletins/")
    assert status == 200, status
    assert any("evaluation_bulletin" in sql for sql in copy)
    assert any("core_apitoken" in sql for sql in primary) and not any("core_apitoken" in sql for sql in copy)

    # Pages that are not reports stay on the primary.
    status, primary, copy = where(client, reverse("cases:console"))
    assert copy == []


@pytest.mark.django_db(transaction=True)
def test_a_user_who_wrote_reads_the_primary_for_a_while(replica, client, personas, settings):
    admin = personas["admin"]
    client.force_login(admin)
    assert where(client, reverse("screen:data"))[2]  # reads the replica before writing
    assert client.post(reverse("screen:keys"), {"name": "大厅主屏"}).status_code == 200
    assert COOKIE in client.cookies
    status, primary, copy = where(client, reverse("screen:data"))
    assert status == 200 and copy == [] and any("cases_case" in sql for sql in primary)

    # Without the cookie (an API client that keeps none), the user's mark in the cache still says so.
    del client.cookies[COOKIE]
    assert where(client, reverse("screen:data"))[2] == []

    # Someone else is not affected.
    other = client_class_for(client)()
    other.force_login(personas["leader"])
    assert where(other, reverse("screen:data"))[2]

    settings.REPLICA_STICKY_SECONDS = 0
    client.post(reverse("screen:keys"), {"name": "第二块屏"})
    from django.core.cache import cache

    cache.delete(f"replica:wrote:{admin.pk}")
    client.cookies.pop(COOKIE, None)
    assert where(client, reverse("screen:data"))[2]  # the while has passed


def client_class_for(client):
    return type(client)


@pytest.mark.django_db
def test_the_router_sends_every_write_and_every_migration_to_the_primary(replica):
    router = ReplicaRouter()
    with replica_reads() as active:
        assert active
        assert Case.objects.all().db == REPLICA
        assert Case.objects.select_for_update().db == "default"
        assert router.db_for_write(Case) == "default"
    assert Case.objects.all().db == "default"
    assert router.allow_migrate("default", "cases") and not router.allow_migrate(REPLICA, "cases")
