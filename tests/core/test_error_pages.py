"""DEBUG is off unless asked for; with it off, the project's own error pages answer in Chinese and leak nothing;
the production security defaults (HTTPS redirect, secure cookies) hold unless the environment turns them off."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import SuspiciousOperation
from django.urls import path

SECRET = "internal-detail-that-must-not-leak"


def _crash(request):
    raise RuntimeError(SECRET)


def _suspicious(request):
    raise SuspiciousOperation(SECRET)


urlpatterns = [path("crash/", _crash), path("suspicious/", _suspicious)]


def _settings_in_a_fresh_process(**env) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DEBUG", "SECURE_"))}
    environment.update(env, DJANGO_SETTINGS_MODULE="citymgmt.settings")
    code = (
        "import django; from django.conf import settings; django.setup();"
        "print(settings.DEBUG, settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE,"
        " settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    ).stdout


def test_debug_is_off_and_https_on_by_default():
    assert _settings_in_a_fresh_process().split() == ["False", "True", "True", "True", "31536000"]


def test_the_plain_http_demo_turns_the_https_settings_off_explicitly():
    out = _settings_in_a_fresh_process(SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0", SECURE_HSTS_SECONDS="0")
    assert out.split() == ["False", "False", "False", "False", "0"]


def test_make_dev_turns_debug_on():
    assert _settings_in_a_fresh_process(DEBUG="1").split()[:2] == ["True", "False"]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    "url, status, title",
    [("/crash/", 500, "服务器错误"), ("/suspicious/", 400, "请求有误")],
)
def test_own_error_pages_in_chinese_without_details(client, settings, url, status, title, db):
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert response.status_code == status
    assert title in body and "<title>" in body
    assert SECRET not in body and "Traceback" not in body and "RuntimeError" not in body


@pytest.mark.django_db
def test_not_found_page_in_chinese(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_the_own_403_page(settings):
    from django.test import Client

    settings.DEBUG = False
    response = Client(enforce_csrf_checks=True).post("/login/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert response.status_code == 403 and "表单已过期" in body and "CSRF" not in body
