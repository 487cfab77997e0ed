"""The 案件办理 console in a real browser: an operator accepts, a shift leader registers and a dispatcher dispatches
one case through the forms; a new report then appears in the operator's queue without a reload, flagged as a
possible duplicate, and one click merges it into the original."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from cases.choices import CaseStatus
from cases.models import Case
from tests.fixtures.small_city import INSIDE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login_as(page, console_login, user):
    """A fresh session for the next person at the desk (the top bar's logout button would catch the login click)."""
    page.context.clear_cookies()
    return console_login(user)


def _screenshot(page, name: str) -> None:
    folder = os.environ.get("CONSOLE_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_accept_register_dispatch_then_live_report_and_one_click_merge(
    page, live_server, console_login, cast, report, garbage_class, department
):
    case = report()
    console_url = f"{live_server.url}{reverse('cases:console')}"
    detail_url = f"{live_server.url}{reverse('cases:detail', args=[case.pk])}"

    # 受理员: the case waits in 待受理, her default queue; she opens it and accepts it.
    _login_as(page, console_login, cast["operator"])
    page.goto(console_url)
    assert page.locator(".queues a.current").get_attribute("data-queue") == "to_accept"
    assert page.locator('[data-count="to_accept"]').inner_text() == "1"
    page.click(f'#queue-table tr[data-case="{case.pk}"] a')
    page.wait_for_url(detail_url)
    page.wait_for_function("() => window.caseMapState && window.caseMapState.grid")
    _screenshot(page, "case-detail-operator")
    with page.expect_navigation():
        page.click("#action-accept button[type=submit]")
    assert page.locator('.events li[data-action="accept"]').count() == 1
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED

    # 值班长: 待立案 is her default queue; she registers against the filing condition she chooses.
    _login_as(page, console_login, cast["leader"])
    page.goto(console_url)
    assert page.locator(".queues a.current").get_attribute("data-queue") == "to_register"
    page.click(f'#queue-table tr[data-case="{case.pk}"] a')
    page.wait_for_url(detail_url)
    page.select_option("#id_register-condition", str(garbage_class["condition"].pk))
    with page.expect_navigation():
        page.click("#action-register button[type=submit]")
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED and case.condition_id == garbage_class["condition"].pk

    # 派遣员: the suggested department (the condition's default, 环卫所) is preselected; one click dispatches.
    _login_as(page, console_login, cast["dispatcher"])
    page.goto(console_url)
    assert page.locator(".queues a.current").get_attribute("data-queue") == "to_dispatch"
    page.click(f'#queue-table tr[data-case="{case.pk}"] a')
    page.wait_for_url(detail_url)
    assert page.locator("#suggested-department").inner_text() == department.name
    assert page.input_value("#id_dispatch-department") == str(department.pk)
    _screenshot(page, "case-detail-dispatcher")
    with page.expect_navigation():
        page.click("#action-dispatch button[type=submit]")
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED and case.department_id == department.pk
    assert list(case.events.values_list("action", flat=True)) == ["report", "accept", "register", "dispatch"]

    # Back to the operator: her queue is empty; a new report 20 m away arrives and shows up without a reload.
    _login_as(page, console_login, cast["operator"])
    page.goto(console_url)
    assert page.locator("#queue-table tr[data-case]").count() == 0
    page.evaluate("() => { window.__sameDocument = true; }")
    duplicate = report(lat=INSIDE[1] + 0.0002, address="东关路14号")
    row = page.locator(f'#queue-table tr[data-case="{duplicate.pk}"]')
    row.wait_for(timeout=20_000)
    assert page.evaluate("() => window.__sameDocument === true")  # no reload happened
    assert page.locator('[data-count="to_accept"]').inner_text() == "1"
    assert row.locator(".tag.dup").count() == 1  # 疑似重复
    _screenshot(page, "queue-operator")

    # The hint names the dispatched case as the original; one click merges the new report into it.
    row.locator("a").click()
    page.wait_for_url(f"{live_server.url}{reverse('cases:detail', args=[duplicate.pk])}")
    hint = page.locator(f'#duplicates tr[data-original="{case.pk}"]')
    assert case.case_no in hint.inner_text()
    _screenshot(page, "case-detail-duplicate")
    with page.expect_navigation():
        hint.locator(".merge-button").click()
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.MERGED and duplicate.merged_into_id == case.pk
    assert case.case_no in page.locator(".banner").first.inner_text()
    assert page.locator('.events li[data-action="merge"]').count() == 1
