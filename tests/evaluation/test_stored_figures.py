"""Stored period figures: the scheduled task stores what the big screen, the home pages and the period API show,
the stored rows equal a direct computation, the task is safe to run twice, and a missing or stale row is computed
by its reader. And the big screen's open-case layer sent as changes after the first poll."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone

from cases.choices import TERMINAL_STATUSES
from cases.models import Case
from evaluation.dashboard.panels import compute_month_panel, month_panel
from evaluation.indicators import period_figures
from evaluation.indicators.periods import compute_period
from evaluation.models import PeriodFigure
from evaluation.screen import data as screen_data
from evaluation.screen import layer as open_layer
from evaluation.tasks import refresh_period_figures

pytestmark = pytest.mark.django_db


def _json(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _row(kind, start, end) -> PeriodFigure:
    return PeriodFigure.objects.get(kind=kind, start=start, end=end)


def test_the_task_stores_every_current_kind_equal_to_a_direct_computation(desk):
    today = timezone.localdate()
    month = today.replace(day=1)
    last_end = month - timedelta(days=1)
    refresh_period_figures()

    screen = _row("screen", today, today).data
    assert {k: screen[k] for k in ("funnel", "departments", "trend", "hotline", "hotspots")} == _json(
        screen_data.slow_panels(today)
    )
    assert sum(screen["intake"].values()) == Case.objects.filter(received_at__date=today).count() > 0
    overdue, total = screen_data.overdue_rows()
    assert screen["overdue_total"] == total and [r["id"] for r in screen["overdue"]] == [r["id"] for r in overdue]
    assert _row("home_month", month, today).data == _json(compute_month_panel(today))
    assert _row("period", month, today).data == _json(compute_period(month, today))
    assert _row("period", last_end.replace(day=1), last_end).data == _json(
        compute_period(last_end.replace(day=1), last_end)
    )
    layer = _row("screen_layer", today, today).data
    open_ids = set(Case.objects.exclude(status__in=TERMINAL_STATUSES).values_list("pk", flat=True))
    assert {item["id"] for item in layer["items"]} == open_ids
    assert {item["light"] for item in layer["items"]} >= {"red"}  # the overdue report of the desk

    rows = PeriodFigure.objects.count()
    refresh_period_figures()  # twice: the same rows, overwritten
    assert PeriodFigure.objects.count() == rows == 5


def test_pages_read_the_stored_row_and_compute_a_missing_or_stale_one(desk, client, cast, settings):
    today = timezone.localdate()
    month = today.replace(day=1)
    assert not PeriodFigure.objects.exists()
    panel = month_panel(today)  # missing: computed by the reader and stored
    row = _row("home_month", month, today)
    assert panel["start"] == month and panel["rates"][0]["label"] and panel["rates"][0]["formula"]

    # A stored row is what the page shows, as it is: plant a figure and find it on the page.
    planted = dict(row.data, counts={"reported": 424242, "previous_reported": 0})
    PeriodFigure.objects.filter(pk=row.pk).update(data=planted)
    client.force_login(cast["supervisor"])
    assert "424242" in client.get("/").content.decode()

    # Older than the stale limit (the workers are down): the reader computes it again.
    PeriodFigure.objects.filter(pk=row.pk).update(
        computed_at=timezone.now() - timedelta(seconds=settings.PERIOD_FIGURES_STALE_SECONDS + 1)
    )
    assert "424242" not in client.get("/").content.decode()
    assert _row("home_month", month, today).data == _json(compute_month_panel(today))


def test_the_period_api_reads_this_months_stored_figures(desk):
    today = timezone.localdate()
    month = today.replace(day=1)
    refresh_period_figures()
    row = _row("period", month, today)
    PeriodFigure.objects.filter(pk=row.pk).update(data=dict(row.data, planted=True))
    assert period_figures(month, today)["planted"] is True
    assert "planted" not in period_figures(month, today, fresh=True)


def test_intake_is_the_stored_count_plus_the_cases_received_since(client, cast, new_case):
    client.force_login(cast["dispatcher"])
    new_case()
    refresh_period_figures()
    new_case()  # after the stored row: counted live, once
    data = client.get(reverse("screen:data")).json()
    intake = {row["source"]: row["count"] for row in data["intake"]}
    assert intake["collector"] == 2 == Case.objects.count()
    refresh_period_figures()  # now both in the row, none after it
    data = client.get(reverse("screen:data")).json()
    assert {row["source"]: row["count"] for row in data["intake"]}["collector"] == 2


def test_the_screen_sends_the_whole_layer_once_then_only_changes(client, cast, new_case):
    client.force_login(cast["dispatcher"])
    first = new_case()
    refresh_period_figures()
    answer = client.get(reverse("screen:data")).json()
    assert answer["cases"]["full"] is True and [c["id"] for c in answer["cases"]["items"]] == [first.pk]
    cursor, layer_at = answer["cursor"], answer["cases"]["layer"]

    # Nothing changed beyond the overlap: the cases written in the last seconds come again, nothing else.
    Case.objects.filter(pk=first.pk).update(updated_at=timezone.now() - timedelta(minutes=1))
    quiet = client.get(reverse("screen:data"), {"since": cursor, "layer": layer_at}).json()
    assert quiet["cases"] == {"items": [], "removed": [], "full": False, "layer": layer_at}

    fresh = new_case()
    closed = new_case()
    Case.objects.filter(pk=closed.pk).update(status="closed", updated_at=timezone.now())
    delta = client.get(reverse("screen:data"), {"since": quiet["cursor"], "layer": layer_at}).json()["cases"]
    assert delta["full"] is False and [c["id"] for c in delta["items"]] == [fresh.pk]
    assert delta["items"][0]["light"] == "green" and delta["removed"] == [closed.pk]
    assert "lights" not in delta  # the display holds the current layer

    refresh_period_figures()  # a newer layer: its lights by id come with the changes
    newer = client.get(reverse("screen:data"), {"since": quiet["cursor"], "layer": layer_at}).json()["cases"]
    assert newer["layer"] > layer_at and newer["lights"] == {str(first.pk): "green", str(fresh.pk): "green"}

    # An old cursor, or none, gets the whole layer, brought up to date with the changes after it.
    old = open_layer.epoch_ms(timezone.now() - open_layer.MAX_CURSOR_AGE - timedelta(seconds=5))
    whole = client.get(reverse("screen:data"), {"since": old}).json()["cases"]
    assert whole["full"] is True and {c["id"] for c in whole["items"]} == {first.pk, fresh.pk}


@pytest.mark.parametrize(("field", "value"), [("since", "yesterday"), ("layer", "-5"), ("since", "9" * 20)])
def test_a_bad_cursor_is_a_400_naming_the_field(client, cast, field, value):
    client.force_login(cast["dispatcher"])
    response = client.get(reverse("screen:data"), {field: value})
    assert response.status_code == 400 and field in response.json()


def test_a_poll_with_a_cursor_reads_a_handful_of_rows(client, cast, new_case, django_assert_max_num_queries):
    client.force_login(cast["dispatcher"])
    for _ in range(5):
        new_case()
    refresh_period_figures()
    answer = client.get(reverse("screen:data")).json()
    # session, user, its two permission sets, the stored row with the layer's time, intake since, the changes
    with django_assert_max_num_queries(7):
        response = client.get(reverse("screen:data"), {"since": answer["cursor"], "layer": answer["cases"]["layer"]})
    assert response.status_code == 200 and len(response.json()["cases"]["items"]) == 5
