"""从平台重新取数 by Celery: the page queues one refresh however often it is clicked, the real task function fetches
the bound figures (progress written as it goes) and records the findings diff as one immutable event; the nightly
task refreshes every open self-evaluation once a night. Every task is run twice: the second run changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from core.models import OutboxMessage
from evaluation.models import PlatformRefresh, RefreshStatus, SelfEvaluationEvent
from evaluation.models.selfeval import SelfEvaluationStatus
from evaluation.tasks import refresh_open_self_evaluations, refresh_self_evaluation
from tests.evaluation.selfeval_helpers import make_evaluation

pytestmark = pytest.mark.django_db

PLATFORM = {
    "cases_per_month": D("1500"),
    "disposal_rate": D("80"),
    "closure_rate": D("96"),
    "ontime_disposal_rate": D("91"),
    "ontime_closure_rate": D("92"),
    "hotline_reply_rate": D("99"),
    "system_fault_rate": D("0.2"),
    "hotline_satisfaction_rate": D("93"),
}


@pytest.fixture
def platform(monkeypatch):
    from evaluation import metrics

    figures = dict(PLATFORM)
    monkeypatch.setattr(metrics, "system_metric", lambda key, start, end: figures.get(key))
    return figures


def _tasks(refresh: PlatformRefresh) -> int:
    return OutboxMessage.objects.filter(
        payload__task="evaluation.tasks.refresh_self_evaluation", payload__kwargs__refresh_id=refresh.pk
    ).count()


def test_the_button_queues_one_refresh_and_the_task_records_the_findings_diff(client, personas, platform):
    evaluation = make_evaluation()
    before_total = evaluation.total
    url = reverse("evaluation:self_evaluation_recompute", args=[evaluation.pk])
    status_url = reverse("evaluation:self_evaluation_refresh_status", args=[evaluation.pk])
    client.force_login(personas["finance"])

    response = client.post(url)
    assert response.status_code == 302 and response["Location"].endswith("#refresh")
    assert client.post(url).status_code == 302  # clicked twice while it waits
    refresh = PlatformRefresh.objects.get()
    assert refresh.status == RefreshStatus.QUEUED and _tasks(refresh) == 1
    assert not evaluation.events.filter(action="recompute").exists()  # nothing computed inside the request

    page = client.get(reverse("evaluation:self_evaluation", args=[evaluation.pk]))
    assert b'id="refresh-progress"' in page.content and b"job_progress.js" in page.content
    assert b'id="recompute" disabled' in page.content
    assert client.get(status_url).json() == {
        "id": refresh.pk,
        "status": "queued",
        "status_label": "排队中",
        "steps_done": 0,
        "steps_total": 0,
        "percent": 0,
        "finished": False,
    }

    assert refresh_self_evaluation(refresh.pk) == RefreshStatus.DONE
    assert refresh_self_evaluation(refresh.pk) == "skipped"  # a duplicated message
    refresh.refresh_from_db()
    assert refresh.status == RefreshStatus.DONE and refresh.steps_total == refresh.steps_done == 8
    assert client.get(status_url).json()["finished"] is True

    events = list(evaluation.events.filter(action="recompute"))
    assert len(events) == 1
    diff = events[0].data
    evaluation.refresh_from_db()
    assert events[0].actor == personas["finance"] and diff == refresh.result
    assert diff["total"] == [str(before_total), str(evaluation.total)] and evaluation.total != before_total
    assert diff["changed"]["案件处置率"] == ["97.2000", "80"]
    assert diff["values"]["案件处置率"] == "80"
    assert diff["findings_added"] == [] and diff["nightly"] is False
    page = client.get(reverse("evaluation:self_evaluation", args=[evaluation.pk]))
    assert b'id="refresh-progress"' not in page.content and b'data-action="recompute"' in page.content
    assert b"score-change" in page.content

    # A new click after it ended queues a new one.
    client.post(url)
    assert PlatformRefresh.objects.filter(status=RefreshStatus.QUEUED).count() == 1


def test_findings_that_appear_and_disappear_are_named(personas, platform):
    from evaluation.selfeval.refresh import request_refresh

    evaluation = make_evaluation()
    platform["disposal_rate"] = None  # no data: the row cannot be scored → missing_score appears
    first, _ = request_refresh(evaluation.pk, personas["finance"])
    refresh_self_evaluation(first.pk)
    added = SelfEvaluationEvent.objects.filter(evaluation=evaluation).last().data["findings_added"]
    assert [(f["code"], f["row"]) for f in added] == [("missing_score", "案件处置率")]

    platform["disposal_rate"] = D("96")
    second, created = request_refresh(evaluation.pk, personas["finance"])
    assert created and second.pk != first.pk
    refresh_self_evaluation(second.pk)
    diff = SelfEvaluationEvent.objects.filter(evaluation=evaluation).last().data
    assert [(f["code"], f["row"]) for f in diff["findings_removed"]] == [("missing_score", "案件处置率")]


def test_the_nightly_task_refreshes_every_open_evaluation_once_a_night(personas, platform):
    changing = make_evaluation(name="会变的项目")
    steady = make_evaluation(name="不变的项目")
    exported = make_evaluation(name="已导出的项目")
    exported.status = SelfEvaluationStatus.EXPORTED
    exported.save()
    # The steady one already holds the platform's figures, so the night finds nothing to change.
    from evaluation.selfeval.services import refresh_from_platform

    refresh_from_platform(steady.pk, personas["finance"])
    steady_events = steady.events.count()

    night = "2026-12-03"
    assert refresh_open_self_evaluations(night) == 2
    assert refresh_open_self_evaluations(night) == 0  # the second run that night queues nothing
    refreshes = list(PlatformRefresh.objects.filter(key=f"nightly:{night}"))
    assert {r.evaluation_id for r in refreshes} == {changing.pk, steady.pk}
    assert all(r.requested_by_id is None and _tasks(r) == 1 for r in refreshes)
    for refresh in refreshes * 2:  # every task delivered twice
        refresh_self_evaluation(refresh.pk)

    event = changing.events.get(action="recompute")
    assert event.actor_id is None and event.data["nightly"] is True and event.data["changed"]
    changing.refresh_from_db()
    assert str(changing.total) == event.data["total"][1]
    assert steady.events.count() == steady_events  # nothing changed: no event
    assert PlatformRefresh.objects.get(evaluation=steady).result["unchanged"] is True
    assert not exported.events.exists() and not exported.refreshes.exists()

    # Same figures the next night: no new event anywhere; results the same.
    totals = {e.pk: e.total for e in (changing, steady)}
    assert refresh_open_self_evaluations(str(date(2026, 12, 4))) == 2
    for refresh in PlatformRefresh.objects.filter(key="nightly:2026-12-04"):
        refresh_self_evaluation(refresh.pk)
    assert changing.events.filter(action="recompute").count() == 1
    changing.refresh_from_db()
    assert changing.total == totals[changing.pk]


def test_a_requester_who_lost_the_permission_gets_a_failed_refresh_and_no_event(client, personas, platform):
    evaluation = make_evaluation()
    client.force_login(personas["supervisor"])  # may read, may not change
    assert client.post(reverse("evaluation:self_evaluation_recompute", args=[evaluation.pk])).status_code == 403
    assert client.get(reverse("evaluation:self_evaluation_refresh_status", args=[evaluation.pk])).status_code == 200
    client.force_login(personas["collector"])
    assert client.get(reverse("evaluation:self_evaluation_refresh_status", args=[evaluation.pk])).status_code == 403
    assert not PlatformRefresh.objects.exists()

    refresh = PlatformRefresh.objects.create(evaluation=evaluation, key="manual:x", requested_by=personas["supervisor"])
    assert refresh_self_evaluation(refresh.pk) == RefreshStatus.FAILED
    assert not evaluation.events.filter(action="recompute").exists()
    client.force_login(personas["finance"])
    assert b'id="refresh-failed"' in client.get(reverse("evaluation:self_evaluation", args=[evaluation.pk])).content
