"""The 12319 manual entry form in a real browser: an operator takes a call, the order appears with its timeline,
and she transfers it to a department from the order page."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from hotlines.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _screenshot(page, name: str) -> None:
    folder = os.environ.get("CONSOLE_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_operator_enters_a_12319_order_and_transfers_it(page, live_server, console_login, cast, department):
    from hotlines.services import ensure_reference_data

    ensure_reference_data()  # a transactional test's flush removed the hotlines created by migrate
    console_login(cast["operator"])
    page.goto(f"{live_server.url}{reverse('hotlines:console')}")
    page.click("#new-order")
    page.wait_for_url(f"{live_server.url}{reverse('hotlines:new')}")
    assert page.input_value("#id_hotline") == "12319"
    number = page.input_value("#id_external_no")
    assert number
    page.fill("#id_caller_name", "赵先生")
    page.fill("#id_caller_phone", "13700001111")
    page.select_option("#id_order_type", "complaint")
    page.fill("#id_content", "南门路3号井盖缺失，夜间有安全隐患")
    page.fill("#id_address", "南门路3号")
    _screenshot(page, "hotline-entry-form")
    with page.expect_navigation():
        page.click("#submit-order")
    order = WorkOrder.objects.get(hotline__code="12319", external_no=number)
    assert page.url == f"{live_server.url}{reverse('hotlines:detail', args=[order.pk])}"
    assert page.locator("#order-status").get_attribute("data-status") == "received"
    assert page.locator("#caller-phone").inner_text() == "13700001111"  # operators may see the number
    assert page.locator('.events li[data-action="receive"]').count() == 1
    assert order.caller_name == "赵先生" and order.order_type == "complaint" and order.received_by == cast["operator"]

    _screenshot(page, "hotline-order-detail")
    page.select_option("#id_transfer-department", str(department.pk))
    with page.expect_navigation():
        page.click("#action-transfer button[type=submit]")
    assert page.locator("#order-status").get_attribute("data-status") == "transferred"
    assert page.locator('.events li[data-action="transfer"]').count() == 1
    page.goto(f"{live_server.url}{reverse('hotlines:console')}")
    assert page.locator(f'#order-table tr[data-order="{order.pk}"]').count() == 1
    _screenshot(page, "hotline-console")
    order.refresh_from_db()
    assert order.status == "transferred" and order.department == department

    # A required field left empty: the form comes back with the error, nothing is received.
    page.goto(f"{live_server.url}{reverse('hotlines:new')}")
    page.fill("#id_content", "")
    page.click("#submit-order")
    page.wait_for_selector("#order-entry .errorlist")
    assert WorkOrder.objects.count() == 1
