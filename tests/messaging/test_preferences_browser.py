"""The user's notification page in Chromium under the real Content-Security-Policy: reached from 我的设备, filled in
and saved, with no violation or script error; a bad number is refused in Chinese."""

from __future__ import annotations

import pytest

from tests.browser_checks import inline_code, violations, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_handler_sets_their_notifications(page, live_server, console_login, personas):
    from core.messaging.models import Preference

    problems = watch(page)
    handler = personas["handler"]
    console_login(handler)
    page.goto(f"{live_server.url}/account/tokens/")
    page.click("text=我的通知设置")
    page.wait_for_url(f"{live_server.url}/account/notifications/")
    assert page.locator("h1").inner_text() == "我的通知设置"

    page.fill("#id_phone", "12345")
    with page.expect_navigation():
        page.click("#notification-settings button[type=submit]")
    assert "请输入11位手机号码" in page.locator(".error").inner_text()
    assert [p for p in problems if "status of 400" not in p] == []  # the refusal is a 400, as the house rule says
    problems.clear()

    page.fill("#id_phone", "13800138000")
    page.select_option("#id_sms", "off")
    page.fill("#id_quiet_start", "22:00")
    page.fill("#id_quiet_end", "07:00")
    with page.expect_navigation():
        page.click("#notification-settings button[type=submit]")
    assert "通知设置已保存" in page.content()
    handler.refresh_from_db()
    preference = Preference.objects.get(user=handler)
    assert handler.phone == "13800138000" and preference.sms == "off" and preference.quiet_start.hour == 22
    assert problems == [] and violations(page) == [] and inline_code(page) == []
