"""Role home pages (工作台, ``/``): each role sees its own panels, and every number links to a list holding exactly
that many rows (the list's own count, through the same FilterSet)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

NUMBER_LINK = re.compile(
    r'<a class="n[^"]*"(?: id="(?P<id>[^"]+)")?(?: data-n="(?P<n>[^"]+)")? href="(?P<url>[^"]+)">(?P<count>\d+)</a>'
)


def _list_total(client, url: str) -> int:
    """How many rows the console list at *url* holds: its pager's total (every page), from the page itself."""
    response = client.get(url.replace("&amp;", "&"))
    assert response.status_code == 200, (url, response.status_code)
    text = response.content.decode()
    match = re.search(r"(?:共\s*|Cases in all: |Orders in all: |（|\()(\d+)\s*(?:件|个|cases|orders)", text)
    if match is None:
        return text.count('<tr data-case="') + text.count('<tr data-order="')
    return int(match.group(1))


def _numbers(body: str) -> list[tuple[str, int]]:
    return [(m.group("url").replace("&amp;", "&"), int(m.group("count"))) for m in NUMBER_LINK.finditer(body)]


@pytest.mark.parametrize("role", ["operator", "dispatcher", "handler", "collector", "supervisor", "leader"])
def test_every_number_on_the_home_page_is_the_count_of_the_list_it_links_to(client, cast, desk, role):
    client.force_login(cast[role])
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    numbers = _numbers(body)
    assert numbers, f"no linked numbers on {role}'s home page"
    for url, count in numbers:
        if "#findings" in url:
            continue
        assert _list_total(client, url) == count, (role, url)


def test_operator_sees_overdue_and_turning_yellow_in_to_accept(client, cast, desk):
    client.force_login(cast["operator"])
    body = client.get("/").content.decode()
    row = re.search(r'<tr data-queue="to_accept">(.*?)</tr>', body, re.S).group(1)
    counts = {m.group("n"): int(m.group("count")) for m in NUMBER_LINK.finditer(row)}
    assert counts == {"count": 3, "overdue": 1, "soon": 1}
    soon_list = client.get("/cases/?queue=to_accept&turns_yellow=true").content.decode()
    assert f'data-case="{desk["soon"].pk}"' in soon_list and f'data-case="{desk["late"].pk}"' not in soon_list


def test_handler_home_lists_cases_to_sign_nearest_deadline_first(client, cast, desk):
    client.force_login(cast["handler"])
    body = client.get("/").content.decode()
    assert 'id="panel-handler"' in body and 'id="panel-month"' not in body
    to_sign = re.search(r'data-list="to_sign">(.*?)</table>', body, re.S).group(1)
    assert desk["dispatched"][0].case_no in to_sign
    assert desk["dispatched"][2].case_no not in body  # another department's case


def test_collector_home_shows_tasks_and_reports_of_the_week(client, cast, desk):
    client.force_login(cast["collector"])
    body = client.get("/").content.decode()
    assert desk["task"].case_no in body
    task_count = int(re.search(r'id="task-count" href="[^"]+">(\\d+)<'.replace("\\\\", "\\"), body).group(1))
    assert task_count == 1


def test_supervisor_home_compares_the_month_and_ranks_departments(client, cast, desk):
    client.force_login(cast["supervisor"])
    body = client.get("/").content.decode()
    assert 'id="panel-month"' in body and 'data-rate="closure_rate"' in body
    assert 'id="chart-trend"' in body


def test_finance_home_lists_self_evaluations_without_case_panels(client, cast):
    client.force_login(cast["finance"])
    body = client.get("/").content.decode()
    assert 'id="panel-selfeval"' in body and 'id="panel-queues"' not in body
