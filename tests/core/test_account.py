"""Console sessions end after 30 idle minutes; the password policy; the self-service password change page."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def session_row(client):
    return Session.objects.get(session_key=client.session.session_key)


class TestIdleTimeout:
    def test_a_session_lives_thirty_minutes_from_the_last_request(self, client, personas):
        assert client.post("/login/", {"username": "dispatcher", "password": PASSWORD}).status_code == 302
        remaining = session_row(client).expire_date - timezone.now()
        assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)
        assert client.cookies["sessionid"]["max-age"] == 1800

    def test_requests_renew_the_session_at_most_once_a_minute(self, client, personas):
        client.post("/login/", {"username": "dispatcher", "password": PASSWORD})
        with CaptureQueriesContext(connection) as soon:
            client.get("/")
        assert not [q for q in soon.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
        session = client.session
        session["_idle_renewed"] = int(time.time()) - 61
        session.save()
        soon_over = timezone.now() + timedelta(minutes=5)
        Session.objects.filter(session_key=session.session_key).update(expire_date=soon_over)
        client.get("/")
        assert session_row(client).expire_date - timezone.now() > timedelta(minutes=29)

    def test_an_idle_session_ends_and_the_login_page_says_why(self, client, personas):
        client.post("/login/", {"username": "dispatcher", "password": PASSWORD})
        Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
        response = client.get("/cases/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")
        page = client.get(response["Location"]).content.decode()
        assert 'id="timed-out"' in page and "30 分钟无操作" in page
        assert 'id="timed-out"' not in client.get("/login/").content.decode()

    def test_logging_out_is_not_called_a_timeout(self, client, personas):
        client.post("/login/", {"username": "dispatcher", "password": PASSWORD})
        client.post("/logout/")
        assert 'id="timed-out"' not in client.get("/login/").content.decode()

    def test_the_idle_time_comes_from_the_environment(self):
        import os
        import subprocess
        import sys

        out = subprocess.run(
            [sys.executable, "-c", "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)"],
            env={**os.environ, "SESSION_IDLE_MINUTES": "10", "DJANGO_SETTINGS_MODULE": "citymgmt.settings"},
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == "600"


class TestPasswordPolicy:
    @pytest.mark.parametrize("password", ["Short1!", "alllowercase-only", "lowercase123456", "UPPERCASE123456"])
    def test_weak_passwords_are_refused(self, password, personas):
        with pytest.raises(ValidationError):
            validate_password(password, personas["dispatcher"])

    def test_three_classes_and_ten_characters_pass(self, personas):
        validate_password("Xq7-vatrolm", personas["dispatcher"])
        validate_password("xq7-vatrolmz", personas["dispatcher"])

    def test_a_password_like_the_username_is_refused(self, personas):
        with pytest.raises(ValidationError):
            validate_password("Dispatcher1!", personas["dispatcher"])

    def test_the_character_class_message_is_translated(self, personas):
        with pytest.raises(ValidationError) as refused:
            validate_password("lowercase123456", personas["dispatcher"])
        assert any("小写字母" in message for message in refused.value.messages)


class TestPasswordChangePage:
    def test_the_user_menu_links_to_it(self, client, personas):
        client.force_login(personas["dispatcher"])
        page = client.get("/").content.decode()
        assert 'href="/account/password/"' in page and "修改密码" in page

    def test_a_weak_password_is_refused_with_the_reason(self, client, personas):
        client.force_login(personas["dispatcher"])
        response = client.post(
            "/account/password/",
            {"old_password": PASSWORD, "new_password1": "lowercase123456", "new_password2": "lowercase123456"},
        )
        assert response.status_code == 200
        assert "小写字母" in response.content.decode()

    def test_a_change_keeps_this_session_and_logs_the_devices_out(self, client, api_as, personas):
        from core.models import ApiToken

        api_as(personas["dispatcher"])
        client.force_login(personas["dispatcher"])
        new = "Xq7-vatrolm!"
        response = client.post(
            "/account/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
        )
        assert response.status_code == 302
        assert not ApiToken.objects.filter(user=personas["dispatcher"]).exists()
        assert client.get("/").status_code == 200
        personas["dispatcher"].refresh_from_db()
        assert personas["dispatcher"].check_password(new)

    def test_anonymous_is_sent_to_log_in(self, client):
        assert client.get("/account/password/")["Location"].startswith("/login/")
