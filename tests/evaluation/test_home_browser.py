"""Role home pages and the filters in a real browser.

Each role's home page is opened after logging in through the form, and every number on it that links to a list
is followed: the list the link opens holds exactly that many rows. The case filters are then used as a person
would: a department picked by its name, a street then one of its communities (the grid select fills itself), a
class found through the picker's search, and an invalid date, which names the field instead of showing an empty
queue. No inline script runs (CSP) and nothing errs in the console."""

from __future__ import annotations

import pytest

from tests.browser_checks import inline_code, violations, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login_as(page, console_login, user):
    page.context.clear_cookies()
    return console_login(user)


def _open_filters(page, url: str) -> None:
    page.goto(url)
    page.click("details.filters summary")


def _submit(page) -> None:
    with page.expect_navigation():
        page.click("#filter-form button[type=submit]")


def _rows_of(page) -> int:
    """Rows of the list page open in *page*: cases or hotline orders (the test lists fit on one page)."""
    return page.locator("#queue-table tbody tr[data-case], #order-table tbody tr[data-order]").count()


def _follow_every_number(page, base: str) -> int:
    """Follow every linked number of the home page; each list must hold as many rows. Returns how many."""
    links = page.eval_on_selector_all(
        "main a.n", "els => els.map(a => ({href: a.getAttribute('href'), n: Number(a.textContent.trim())}))"
    )
    for link in links:
        if "#findings" in link["href"]:
            continue
        page.goto(base + link["href"])
        assert page.locator("#filter-errors").count() == 0, link
        assert _rows_of(page) == link["n"], link
    return len(links)


@pytest.mark.parametrize("role", ["dispatcher", "handler", "collector", "supervisor"])
def test_each_roles_home_page_numbers_match_the_lists_they_link_to(page, live_server, console_login, cast, desk, role):
    problems = watch(page)
    _login_as(page, console_login, cast[role])
    page.goto(f"{live_server.url}/")
    assert page.locator("#panel-notifications").is_visible()
    if role in ("dispatcher", "supervisor"):
        page.wait_for_function("() => window.CityCharts && window.CityCharts.charts.length >= 1")
        assert page.locator("#chart-trend svg text").count() > 5  # axes with their labels, drawn as SVG
    if role == "supervisor":
        assert page.locator("#panel-month tr[data-rate]").count() >= 5
    if role == "handler":
        assert page.locator('#panel-handler table[data-list="to_sign"] tbody tr').count() == 1
    if role == "collector":
        assert page.locator("#task-count").inner_text() == "1"
        assert page.locator("#panel-queues").count() == 0
    assert inline_code(page) == [] and violations(page) == []
    followed = _follow_every_number(page, live_server.url)
    assert followed >= 2
    assert problems == []


def test_finance_home_lists_self_evaluations_with_their_findings(page, live_server, console_login, cast):
    from evaluation.selfeval.demo import _bishan

    _bishan()
    _login_as(page, console_login, cast["finance"])
    page.goto(f"{live_server.url}/")
    row = page.locator("#panel-selfeval tbody tr[data-evaluation]").first
    errors = int(row.locator("a.n").inner_text())
    assert errors > 0  # Bishan's printed report contradicts itself
    row.locator("a.n").click()
    page.wait_for_load_state()
    assert page.locator('#findings li[data-severity="error"]').count() == errors


def test_filter_by_department_street_community_class_and_dates(
    page, live_server, console_login, cast, desk, base_map, department, taxonomy
):
    from cases.models import Case

    problems = watch(page)
    _login_as(page, console_login, cast["dispatcher"])
    url = f"{live_server.url}/cases/?queue=all"

    # A department chosen by its name (the select shows sub-units indented under their parent).
    _open_filters(page, url)
    page.select_option("#id_department", label=department.name)
    _submit(page)
    expected = Case.objects.filter(department=department).count()
    assert expected == 2 and _rows_of(page) == expected < Case.objects.count()

    # Street → community: the community select narrows to the street; choosing one loads its grids.
    _open_filters(page, url)
    page.select_option("#id_street", "500120002")
    hidden = page.eval_on_selector_all("#id_community option", "os => os.filter(o => o.hidden).map(o => o.value)")
    assert "500120001001" in hidden and "500120002001" not in hidden
    page.select_option("#id_community", "500120001001")  # another street's community: the street follows it
    page.wait_for_function("() => window.filterFormState.gridLoads >= 1")
    assert page.input_value("#id_street") == "500120001"
    assert page.locator("#id_grid option").count() == 1 + 2  # "all" and the community's two grids
    _submit(page)
    assert _rows_of(page) == Case.objects.filter(community_code="500120001001").count() > 0

    # The class picker: typed search narrows the minor classes and picks the first match.
    other = Case.objects.first()
    Case.objects.filter(pk=other.pk).update(minor_class=taxonomy["litter"])
    _open_filters(page, url)
    page.fill(".class-search", "道路不洁（测试）")
    assert page.input_value("#id_class_code") == "96002"
    _submit(page)
    assert _rows_of(page) == 1 and page.locator(f'tr[data-case="{other.pk}"]').count() == 1

    # Dates as people type them, and an invalid one named in the message instead of an empty queue.
    _open_filters(page, url)
    page.fill("input[name=received_after]", "2020/1/2")
    _submit(page)
    assert _rows_of(page) == Case.objects.count()
    _open_filters(page, url)
    page.fill("input[name=received_after]", "2026/13/45")
    _submit(page)
    error = page.locator("#filter-errors")
    assert error.is_visible() and "接收时间" in error.inner_text() and "2026/13/45" in error.inner_text()
    assert page.locator("#queue-table").count() == 0
    # Only the browser's note that the refused filter answered 400, nothing else.
    assert [p for p in problems if "status of 400" not in p] == []


def test_overdue_tab_lists_the_most_overdue_first_with_full_dates(page, live_server, console_login, cast, desk):
    from django.utils import timezone

    from cases.models import Case
    from tests.fixtures.home_desk import working_hours_ago

    older = desk["dispatched"][0]
    # More overdue than the desk's late report by at least an hour of working time, whatever the hour of the run.
    deadline = working_hours_ago(desk["late"].stage_deadline, 1)
    Case.objects.filter(pk=older.pk).update(stage_deadline=deadline, is_overdue=True)
    _login_as(page, console_login, cast["supervisor"])
    page.goto(f"{live_server.url}/cases/?queue=overdue")
    rows = page.locator("#queue-table tbody tr[data-case]")
    assert [rows.nth(i).get_attribute("data-case") for i in range(rows.count())] == [
        str(older.pk),
        str(desk["late"].pk),
    ]
    year = str(timezone.localdate().year)
    assert rows.first.locator("td").nth(9).inner_text().startswith(year[:2])  # the deadline with its year
    hours = [float(rows.nth(i).locator("td.overdue-by").inner_text()) for i in range(2)]
    assert hours[0] > hours[1] > 0
