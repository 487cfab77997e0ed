"""Counting case lists: exact up to a cap, PostgreSQL's estimate beyond it (so a million cases never get counted
row by row), every page still reachable; queue counts exact, from the case tally (tests/cases/test_tally.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.paginator import EmptyPage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.api.views import CaseViewSet
from cases.models import Case
from cases.pagination import EstimatedCountPaginator
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LIST = "/api/v1/cases/"


@pytest.fixture
def five(report):
    return [report() for _ in range(5)]


@pytest.fixture
def small_cap(monkeypatch):
    """Lists count exactly up to 2 cases only, read short lists by id up to 1 case, and the API pages by 2."""
    monkeypatch.setattr("cases.pagination.EXACT_UP_TO", 2)
    monkeypatch.setattr(EstimatedCountPaginator, "SHORT", 1)
    monkeypatch.setattr(CaseViewSet.pagination_class, "page_size", 2)


def test_short_lists_are_counted_exactly_and_ordered_newest_first(api_as, cast, five):
    body = api_as(cast["dispatcher"]).get(LIST).json()
    assert body["count"] == 5 and body["count_exact"] is True
    assert [row["id"] for row in body["results"]] == [case.pk for case in reversed(five)]
    filtered = api_as(cast["dispatcher"]).get(LIST, {"q": five[2].case_no}).json()
    assert filtered["count"] == 1 and [row["id"] for row in filtered["results"]] == [five[2].pk]


def test_beyond_the_cap_the_count_is_an_estimate_and_every_page_is_served(api_as, cast, five, small_cap):
    client = api_as(cast["dispatcher"])
    first = client.get(LIST).json()
    assert first["count_exact"] is False and first["count"] >= 3
    seen = []
    for number in (1, 2, 3):
        response = client.get(LIST, {"page": number})
        assert response.status_code == 200
        seen += [row["id"] for row in response.json()["results"]]
    assert seen == [case.pk for case in reversed(five)]
    assert client.get(LIST, {"page": 4}).status_code == 404  # past the last row, whatever the estimate said
    assert client.get(LIST, {"page": 0}).status_code == 404


def test_a_filtered_list_below_the_cap_is_exact_again(api_as, cast, five, small_cap):
    Case.objects.filter(pk__in=[five[0].pk, five[1].pk]).update(address="青杠大道8号")
    body = api_as(cast["dispatcher"]).get(LIST, {"q": "青杠大道"}).json()
    assert body["count"] == 2 and body["count_exact"] is True
    assert {row["id"] for row in body["results"]} == {five[0].pk, five[1].pk}


def test_queue_counts_stay_exact_and_a_whole_queue_is_paged_by_its_count(client, cast, five, small_cap):
    Case.objects.filter(pk=five[0].pk).update(is_overdue=True)
    assert client.login(username=cast["supervisor"].username, password=PASSWORD)
    response = client.get(reverse("cases:console"), {"queue": "all"})
    assert response.status_code == 200
    counts = {q["key"]: q["count"] for q in response.context["queues"]}
    assert counts["open"] == 5 and counts["overdue"] == 1 and counts["all"] == 5  # the case tally: exact
    page = response.context["page"]  # the whole queue: the tab's count, not counted again
    assert page.paginator.count == 5 and page.paginator.count_is_exact is True and len(page.object_list) == 5
    filtered = client.get(reverse("cases:console"), {"queue": "all", "source": "collector"}).context["page"]
    assert filtered.paginator.count_is_exact is False and len(filtered.object_list) == 5  # counted up to the cap
    # A department sees none of these (the collector's reports are not dispatched): zero everywhere.
    assert client.login(username=cast["other_handler"].username, password=PASSWORD)
    counts = {q["key"]: q["count"] for q in client.get(reverse("cases:console")).context["queues"]}
    assert set(counts.values()) == {0}


def test_search_ignores_case_and_takes_regex_characters_literally(api_as, cast, five):
    Case.objects.filter(pk=five[0].pk).update(address="东林大道LED屏(2)")
    Case.objects.filter(pk=five[1].pk).update(description="井盖 led 缺失")
    client = api_as(cast["dispatcher"])
    found = {row["id"] for row in client.get(LIST, {"q": "Led"}).json()["results"]}
    assert found == {five[0].pk, five[1].pk}
    assert [row["id"] for row in client.get(LIST, {"q": "LED屏(2)"}).json()["results"]] == [five[0].pk]
    assert client.get(LIST, {"q": "屏(.*"}).json()["count"] == 0
    assert {row["id"] for row in client.get(LIST, {"q": "大道"}).json()["results"]} >= {five[0].pk}


def _list_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().startswith("SELECT") and "ORDER BY" in q["sql"]]


@pytest.mark.parametrize("exact", [True, False], ids=["counted", "estimated"])
def test_long_searched_lists_are_read_by_receipt_window_in_the_list_order(report, small_cap, monkeypatch, exact):
    """A searched list's page comes from the first receipt-time window (3 days, 62 days) that holds every row down
    to its end, and is then exactly the whole list's page; otherwise from the whole list."""
    if exact:
        monkeypatch.setattr("cases.pagination.EXACT_UP_TO", 100)
    cases = [report() for _ in range(7)]
    now = timezone.now()
    for case, days in zip(cases, [300, 200, 40, 10, 2, 1, 0], strict=True):
        Case.objects.filter(pk=case.pk).update(received_at=now - timedelta(days=days, hours=1))
    newest_first = [case.pk for case in reversed(cases)]
    paginator = EstimatedCountPaginator(Case.objects.order_by("-received_at", "-id"), 2, windowed=True)
    assert paginator.count_is_exact is exact
    windows = []
    seen = []
    for number in (1, 2, 3, 4):
        with CaptureQueriesContext(connection) as queries:
            seen += [case.pk for case in paginator.page(number).object_list]
        windows.append([sql.count('"received_at" >=') for sql in _list_queries(queries.captured_queries)])
    assert seen == newest_first
    assert windows[0] == [1]  # the last three days hold the first page
    assert windows[1] == [1, 1]  # the second needs two months
    assert windows[2] == [1, 1, 0]  # the third (300 and 200 days ago) the whole list
    assert windows[3] == [1, 1, 0]  # the last, partial page too
    if not exact:
        with pytest.raises(EmptyPage):
            paginator.page(5)


def test_lists_in_another_order_or_not_searched_are_read_whole(report, small_cap):
    cases = [report() for _ in range(3)]
    for paginator, expected in (
        (EstimatedCountPaginator(Case.objects.order_by("stage_deadline", "id"), 2, windowed=True), cases[:2]),
        (EstimatedCountPaginator(Case.objects.order_by("-received_at", "-id"), 2), cases[:0:-1]),
    ):
        with CaptureQueriesContext(connection) as queries:
            rows = list(paginator.page(1).object_list)
        assert [case.pk for case in rows] == [case.pk for case in expected]
        assert all('"received_at" >=' not in sql for sql in _list_queries(queries.captured_queries))


def test_the_api_and_the_console_window_only_searched_lists(api_as, client, cast, five, small_cap):
    five[0].refresh_from_db()
    for params, windows in (({}, 0), ({"q": five[0].description[:4]}, 1)):
        with CaptureQueriesContext(connection) as queries:
            assert api_as(cast["dispatcher"]).get(LIST, params).status_code == 200
        assert sum('"received_at" >=' in sql for sql in _list_queries(queries.captured_queries)) == windows
    assert client.login(username=cast["supervisor"].username, password=PASSWORD)
    # The console's page of 20 is not filled by five cases: both windows tried, then the whole list.
    for params, windows in (({"queue": "all"}, 0), ({"queue": "all", "q": five[0].description[:4]}, 2)):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("cases:console"), params).status_code == 200
        assert sum('"received_at" >=' in sql for sql in _list_queries(queries.captured_queries)) == windows
