"""Offline sync's one-statement write: duplicates inside a batch, mixed items, resends, and the rows it writes."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, CaseEvent
from cases.services import report_batch, report_case
from tests.fixtures.small_city import OUTSIDE
from tests.fixtures.small_city import report_body as report

pytestmark = pytest.mark.django_db


def statuses(response) -> list[str]:
    return [r["status"] for r in response.json()["results"]]


class TestBatchWrite:
    def test_a_client_uuid_twice_in_one_batch_makes_one_case(self, api_as, cast, base_map, garbage_class):
        first = report(description="第一次")
        items = [first, report(), {**first, "description": "重发"}, first]
        response = api_as(cast["collector"]).post("/api/v1/cases/batch/", {"items": items}, format="json")
        results = response.json()["results"]
        assert statuses(response) == ["created", "created", "exists", "exists"]
        assert results[0]["id"] == results[2]["id"] == results[3]["id"] != results[1]["id"]
        assert Case.objects.count() == 2 and CaseEvent.objects.filter(action="report").count() == 2
        assert Case.objects.get(pk=results[0]["id"]).description == "第一次"

    def test_mixed_items_keep_their_positions_and_a_resend_creates_nothing(self, api_as, cast, base_map, garbage_class):
        client = api_as(cast["collector"])
        items = [
            report(),
            report(lng=OUTSIDE[0]),
            report(source="self_disposal"),
            "not an object",
            report(urgency="very"),
            report(description="x" * 5000),
            report(),
        ]
        response = client.post("/api/v1/cases/batch/", {"items": items}, format="json")
        assert statuses(response) == ["created", "error", "created", "error", "error", "error", "created"]
        results = response.json()["results"]
        assert [r["index"] for r in results] == list(range(len(items)))
        assert "location" in results[1]["errors"] and "urgency" in results[4]["errors"]
        assert "description" in results[5]["errors"]
        created = {r["id"] for r in results if r["status"] == "created"}
        assert Case.objects.count() == 3

        again = client.post("/api/v1/cases/batch/", {"items": items}, format="json")
        assert statuses(again) == ["exists", "error", "exists", "error", "error", "error", "exists"]
        assert {r["id"] for r in again.json()["results"] if r["status"] == "exists"} == created
        assert Case.objects.count() == 3 and CaseEvent.objects.count() == 3

    def test_rows_match_what_a_single_report_writes(self, cast, base_map, garbage_class):
        collector = cast["collector"]
        single, _ = report_case(reporter=collector, **_service_fields(report(description="单条")))
        items = [report(description="批量"), report(source="self_disposal", description="自处置")]
        results = report_batch(reporter=collector, items=items, sources=("collector", "self_disposal"))
        batch, disposed = (Case.objects.get(pk=r["id"]) for r in results)
        for field in ("grid_id", "grid_code", "community_code", "street_code", "district_code", "minor_class_id"):
            assert getattr(batch, field) == getattr(single, field)
        assert (batch.status, disposed.status) == ("reported", "self_disposed")
        assert batch.stage_deadline and disposed.stage_deadline and batch.location.coords == single.location.coords
        assert batch.is_overdue is False and batch.urge_count == 0 and batch.cancelled_in == ""
        numbers = sorted(int(c.case_no.split("-")[1]) for c in Case.objects.all())
        assert numbers == list(range(numbers[0], numbers[0] + 3))  # consecutive, no gaps
        event = CaseEvent.objects.get(case=disposed)
        assert (event.action, event.actor_id, event.role, event.from_status, event.to_status) == (
            "report",
            collector.pk,
            collector.role,
            "",
            "self_disposed",
        )
        assert event.opinion == "自处置" and event.data == {"source": "self_disposal"}
        assert event.at == disposed.received_at == disposed.stage_started_at

    def test_a_batch_is_one_write_statement(self, cast, base_map, garbage_class):
        items = [report() for _ in range(50)]
        with CaptureQueriesContext(connection) as queries:
            results = report_batch(reporter=cast["collector"], items=items)
        assert [r["status"] for r in results] == ["created"] * 50
        inserts = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
        assert len(inserts) == 1 and Case.objects.count() == 50 and CaseEvent.objects.count() == 50

    def test_another_users_client_uuid_is_refused_per_item(self, api_as, cast, base_map, garbage_class):
        theirs = report()
        api_as(cast["collector2"]).post("/api/v1/cases/", theirs, format="json")
        response = api_as(cast["collector"]).post("/api/v1/cases/batch/", {"items": [theirs, report()]}, format="json")
        assert statuses(response) == ["error", "created"]
        assert "client_uuid" in response.json()["results"][0]["errors"]
        assert Case.objects.filter(reporter=cast["collector"]).count() == 1


def _service_fields(body: dict) -> dict:
    fields = {k: v for k, v in body.items() if k not in ("condition", "component_id")}
    fields["client_uuid"] = uuid.UUID(fields["client_uuid"])
    return fields
