"""Login lockout (django-axes): per username and per address, on the console and the token endpoint."""

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def fail_console(client, username, times=5, address="127.0.0.1"):
    """Wrong passwords; the one that reaches the limit already answers with the lockout."""
    statuses = [
        client.post("/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=address).status_code
        for _ in range(times)
    ]
    return statuses


def test_console_locks_a_user_after_five_failures_with_a_translated_message(client, personas):
    assert fail_console(client, "dispatcher")[4] == 429
    response = client.post("/login/", {"username": "dispatcher", "password": PASSWORD})
    assert response.status_code == 429
    body = response.content.decode()
    assert 'id="locked-out"' in body and "锁定" in body and "15" in body
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_username_from_any_address(client, personas):
    fail_console(client, "dispatcher", address="10.0.0.1")
    response = client.post("/login/", {"username": "dispatcher", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 429
    # Another user from the first address is not locked by four … but by five failures of any usernames it is.
    assert (
        client.post("/login/", {"username": "operator", "password": PASSWORD}, REMOTE_ADDR="10.0.0.3").status_code
        == 302
    )


def test_the_lock_is_per_address_whatever_the_usernames(client, personas):
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        client.post("/login/", {"username": name, "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    response = client.post("/login/", {"username": "operator", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert (
        client.post("/login/", {"username": "operator", "password": PASSWORD}, REMOTE_ADDR="10.0.0.8").status_code
        == 302
    )


def test_four_failures_do_not_lock_and_a_success_does_not_wipe_them(client, personas):
    assert fail_console(client, "dispatcher", times=4) == [200] * 4
    assert client.post("/login/", {"username": "dispatcher", "password": PASSWORD}).status_code == 302
    client.logout()
    # Otherwise one valid account would let an address try other users' passwords without end.
    assert fail_console(client, "dispatcher", times=1) == [429]


def test_failures_older_than_the_lock_time_are_forgotten(client, personas):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    fail_console(client, "dispatcher", times=4)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert fail_console(client, "dispatcher", times=1) == [200]
    assert client.post("/login/", {"username": "dispatcher", "password": PASSWORD}).status_code == 302


def test_the_token_endpoint_locks_after_five_failures_with_429_and_retry_after(api_client, personas):
    statuses = [
        api_client.post(TOKEN_URL, {"username": "collector", "password": "wrong"}, format="json").status_code
        for _ in range(5)
    ]
    assert statuses == [400, 400, 400, 400, 429]
    response = api_client.post(TOKEN_URL, {"username": "collector", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "锁定" in response.json()["detail"]
    assert "token" not in response.json()


def test_failures_on_the_console_and_the_token_endpoint_add_up(client, api_client, personas):
    fail_console(client, "collector", times=3)
    for _ in range(2):
        api_client.post(TOKEN_URL, {"username": "collector", "password": "wrong"}, format="json")
    assert api_client.post(TOKEN_URL, {"username": "collector", "password": PASSWORD}).status_code == 429


def test_the_limit_and_lock_time_come_from_settings(client, personas, settings):
    from datetime import timedelta

    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=3)
    assert fail_console(client, "dispatcher", times=2) == [200, 429]
    response = client.post("/login/", {"username": "dispatcher", "password": PASSWORD})
    assert response.status_code == 429 and response["Retry-After"] == "180"


def test_an_administrator_sees_the_lock_in_the_admin_and_lifts_it(client, personas):
    from axes.models import AccessAttempt

    fail_console(client, "dispatcher")
    admin = personas["admin"]  # the role, not a superuser
    admin_client = type(client)()
    admin_client.force_login(admin)
    listing = admin_client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "dispatcher" in listing.content.decode()
    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    response = admin_client.post(
        "/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert client.post("/login/", {"username": "dispatcher", "password": PASSWORD}).status_code == 302
