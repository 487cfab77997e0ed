"""Redis is a cache, never a precondition for writing: with the test's own redis-server killed, reports (single
and batch), case and hotline actions, the console queue and the case API all answer 2xx; side effects are written
to the outbox and work for the broker waits there until Redis is back, then goes out exactly once.

(In the hotline tests because their fixtures hold the case tests' small city as well as the hotline helpers.)
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import tally
from cases.models import Case
from core import outbox
from core.models import Notification, OutboxMessage
from tests.conftest import PASSWORD
from tests.fixtures.small_city import report_body

pytestmark = pytest.mark.django_db


def test_reports_actions_console_and_api_work_with_redis_killed(
    private_redis, api_as, cast, base_map, garbage_class, department, client, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    cache.set("probe", 1)
    assert cache.get("probe") == 1  # the cache really is the private Redis
    private_redis.kill()
    assert cache.get("probe") is None  # a miss, not an error

    collector = api_as(cast["collector"])
    with django_capture_on_commit_callbacks(execute=True):
        response = collector.post("/api/v1/cases/", report_body(), format="json")
        assert response.status_code == 201, response.content
        case_id = response.json()["id"]
        batch = collector.post("/api/v1/cases/batch/", {"items": [report_body(), report_body()]}, format="json")
        assert batch.status_code == 200 and [r["status"] for r in batch.json()["results"]] == ["created"] * 2

        steps = [
            ("operator", "accept", {}),
            ("leader", "register", {"condition": garbage_class["condition"].pk}),
            ("dispatcher", "dispatch", {"department": department.pk}),
            ("handler", "sign", {}),
            ("dispatcher", "urge", {"opinion": "尽快"}),
            ("handler", "dispose", {"opinion": "已清运"}),
            ("operator", "send-check", {"collector": cast["collector"].pk}),
            ("collector", "check", {"passed": True}),
            ("leader", "close", {}),
        ]
        for persona, action, body in steps:
            response = api_as(cast[persona]).post(f"/api/v1/cases/{case_id}/{action}/", body, format="json")
            assert response.status_code == 200, (action, response.content)
    assert Case.objects.get(pk=case_id).status == "closed"
    # The notifications went through the outbox and need no Redis: delivered at once, each once.
    handler_notes = Notification.objects.filter(recipient=cast["handler"])
    assert sorted(handler_notes.values_list("kind", flat=True)) == ["case_dispatched", "case_urged"]
    assert not outbox.pending().exists() and outbox.relay() == 0

    # The case API and the console queue read through the (dead) cache without noticing.
    leader = api_as(cast["leader"])
    assert leader.get("/api/v1/cases/").status_code == 200
    assert leader.get(f"/api/v1/cases/{case_id}/").status_code == 200
    assert leader.get("/api/v1/taxonomy/").status_code == 200
    assert client.login(username=cast["operator"].username, password=PASSWORD)
    console = client.get(reverse("cases:console"))
    assert console.status_code == 200
    assert client.get(reverse("cases:detail", args=[case_id])).status_code == 200
    # The queue counts come from the case tally, written with each report and transition in PostgreSQL alone.
    counts = {queue["key"]: queue["count"] for queue in console.context["queues"]}
    assert counts["to_accept"] == 2 and counts["all"] == 3 and tally.drift() == []


def test_hotline_actions_work_with_redis_killed(
    private_redis, receive_order, cast, department, django_capture_on_commit_callbacks
):
    from hotlines.services import transfer, urge

    private_redis.kill()
    with django_capture_on_commit_callbacks(execute=True):
        order = receive_order()
        transfer(order.pk, cast["operator"], department=department.pk)
        urge(order.pk, cast["dispatcher"], opinion="加快")
    kinds = Notification.objects.filter(recipient=cast["handler"]).values_list("kind", flat=True)
    assert sorted(kinds) == ["workorder_transferred", "workorder_urged"]
    assert not outbox.pending().exists()


def test_work_for_the_broker_waits_in_the_outbox_and_goes_out_once(private_redis, django_capture_on_commit_callbacks):
    from django.db import transaction

    private_redis.kill()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            message = outbox.enqueue_task("core.tasks.purge_outbox")
    message.refresh_from_db()
    assert message.delivered_at is None and message.attempts == 1 and message.last_error

    private_redis.start()
    OutboxMessage.objects.filter(pk=message.pk).update(due_at=message.created_at)  # skip the back-off
    assert outbox.relay() == 1
    assert outbox.relay() == 0
    assert private_redis.client().llen("default") == 1  # queued exactly once (routed to "default")
