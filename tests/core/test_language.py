"""One language rule: Chinese unless the user picks English, remembered per user; the browser's Accept-Language never
switches the console. And the Swagger page is in the menu only of the role that uses the API."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def lang_of(response) -> str:
    return response.content.decode().split('<html lang="')[1].split('"')[0]


def test_an_english_browser_gets_chinese(client, personas):
    assert lang_of(client.get(reverse("login"), **ENGLISH_BROWSER)) == "zh-hans"
    client.force_login(personas["operator"])
    page = client.get(reverse("home"), **ENGLISH_BROWSER)
    assert lang_of(page) == "zh-hans" and page.headers["Content-Language"] == "zh-hans"


def test_the_users_choice_is_remembered_on_another_browser(client, personas):
    operator = personas["operator"]
    client.force_login(operator)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.language == "en"
    other_browser = Client()  # no cookie, a Chinese browser: the user's choice still holds
    other_browser.force_login(operator)
    assert lang_of(other_browser.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-CN")) == "en"
    assert lang_of(Client().get(reverse("login"))) == "zh-hans"  # nobody else is switched
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    operator.refresh_from_db()
    assert operator.language == "zh-hans" and lang_of(other_browser.get(reverse("home"))) == "zh-hans"


def test_before_login_the_switchers_cookie_decides(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert lang_of(client.get(reverse("login"))) == "en"


@pytest.mark.parametrize(("role", "shown"), [("admin", True), ("operator", False), ("supervisor", False)])
def test_api_docs_only_in_the_admins_menu(client, personas, role, shown):
    client.force_login(personas[role])
    nav = client.get(reverse("home")).content.decode().split('class="mainnav"')[1].split("</nav>")[0]
    assert (reverse("swagger-ui") in nav) is shown
