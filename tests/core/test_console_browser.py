"""The console shell in a real browser: Chinese login, role-aware navigation, logout, language switch."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_in_chinese_and_role_aware_navigation(page, live_server, console_login, personas):
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/login/")
    assert page.locator("h1").inner_text() == "登录"
    console_login(personas["dispatcher"])
    assert "派遣员" in page.locator(".userbox").inner_text()
    assert "管理" not in page.locator(".mainnav").inner_text()  # no admin link for a dispatcher


def test_admin_sees_the_administration_link(page, console_login, personas):
    console_login(personas["admin"])
    page.click("text=管理后台")
    assert page.locator("#site-name").inner_text() == "城市管理指挥中心"


def test_wrong_password_is_said_in_chinese(page, live_server, personas):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "dispatcher")
    page.fill("#id_password", "wrong")
    with page.expect_navigation():  # the answer is a new page: look at it, not at the form it replaces
        page.click("button[type=submit]")
    assert page.locator(".error").is_visible()


def test_logout_and_english(page, live_server, console_login, personas):
    console_login(personas["operator"])
    with page.expect_navigation():
        page.select_option(".langswitch select", "en")
    assert "Operator" in page.locator(".userbox").inner_text()
    page.click("text=Log out")
    page.wait_for_url(f"{live_server.url}/login/")
