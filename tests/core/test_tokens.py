"""API tokens: one per device, hashed, expiring, revoked on logout and on any password change."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def login(api_client, username="collector", device=None):
    body = {"username": username, "password": PASSWORD, **({"device": device} if device else {})}
    response = api_client.post(TOKEN_URL, body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def me(api_client, key):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api_client.get("/api/v1/me/")


def test_a_login_issues_a_token_for_the_named_device_that_expires_in_30_days(api_client, personas):
    from core.models import ApiToken

    issued = login(api_client, device="phone-1")
    assert issued["device"] == "phone-1"
    token = ApiToken.objects.get(user=personas["collector"])
    assert abs(token.expires - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert me(api_client, issued["token"]).json()["username"] == "collector"


def test_only_the_digest_of_the_key_is_stored(api_client, personas):
    key = login(api_client)["token"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest, prefix, name FROM core_apitoken")
        row = cursor.fetchone()
    assert key not in "".join(row) and len(row[0]) == 64 and row[1] == key[:8]


def test_several_devices_hold_tokens_at_once_and_a_new_login_replaces_that_devices_token(api_client, personas):
    from core.models import ApiToken

    phone = login(api_client, device="phone")["token"]
    tablet = login(api_client, device="tablet")["token"]
    assert me(api_client, phone).status_code == 200
    assert me(api_client, tablet).status_code == 200
    phone_again = login(api_client, device="phone")["token"]
    assert me(api_client, phone).status_code == 401
    assert me(api_client, phone_again).status_code == 200
    assert me(api_client, tablet).status_code == 200
    assert ApiToken.objects.filter(user=personas["collector"]).count() == 2


def test_the_lifetime_comes_from_settings(api_client, personas, settings):
    settings.API_TOKEN_TTL_DAYS = 2
    expires = login(api_client)["expires"]
    from django.utils.dateparse import parse_datetime

    assert abs(parse_datetime(expires) - (timezone.now() + timedelta(days=2))) < timedelta(minutes=1)


def test_an_expired_token_is_refused_with_401(api_client, personas):
    from core.models import ApiToken

    key = login(api_client)["token"]
    ApiToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    response = me(api_client, key)
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌已过期。"


def test_logout_revokes_only_the_token_it_was_sent_with(api_client, personas):
    phone = login(api_client, device="phone")["token"]
    tablet = login(api_client, device="tablet")["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {phone}")
    assert api_client.post("/api/v1/auth/logout/").status_code == 204
    assert me(api_client, phone).status_code == 401
    assert me(api_client, tablet).status_code == 200


def test_logout_without_credentials_is_401(api_client):
    assert api_client.post("/api/v1/auth/logout/").status_code == 401


def test_a_password_set_anywhere_revokes_every_token_of_the_user(api_client, personas):
    from core.models import ApiToken

    phone = login(api_client, device="phone")["token"]
    login(api_client, username="dispatcher")
    user = personas["collector"]
    user.set_password("Another-pw-2026")
    user.save()
    assert me(api_client, phone).status_code == 401
    assert not ApiToken.objects.filter(user=user).exists()
    assert ApiToken.objects.filter(user=personas["dispatcher"]).exists()


def test_saving_a_user_without_a_new_password_keeps_the_tokens(api_client, personas):
    phone = login(api_client)["token"]
    user = personas["collector"]
    user.first_name = "张"
    user.save()
    assert me(api_client, phone).status_code == 200


def test_the_admin_password_form_revokes_the_tokens(api_client, client, personas, make_user):
    from core.choices import Role
    from core.models import ApiToken

    login(api_client)
    client.force_login(make_user("root", Role.ADMIN, is_superuser=True))
    target = personas["collector"]
    response = client.post(
        f"/admin/core/user/{target.pk}/password/",
        {"password1": "Fresh-Pass-2026!", "password2": "Fresh-Pass-2026!", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not ApiToken.objects.filter(user=target).exists()


def test_last_use_is_written_at_most_once_per_interval(api_client, personas):
    from core.models import ApiToken

    key = login(api_client)["token"]
    assert ApiToken.objects.get().last_used is not None  # the login
    ApiToken.objects.update(last_used=timezone.now() - timedelta(minutes=16))
    with CaptureQueriesContext(connection) as first:
        assert me(api_client, key).status_code == 200
    stamped = ApiToken.objects.get().last_used
    assert timezone.now() - stamped < timedelta(minutes=1)
    with CaptureQueriesContext(connection) as second:
        assert me(api_client, key).status_code == 200
    assert ApiToken.objects.get().last_used == stamped
    updates = [q["sql"] for q in first.captured_queries if q["sql"].startswith('UPDATE "core_apitoken"')]
    assert len(updates) == 1
    assert not [q for q in second.captured_queries if "core_apitoken" in q["sql"] and "UPDATE" in q["sql"]]
    assert len([q for q in second.captured_queries if "core_apitoken" in q["sql"]]) == 1  # the lookup itself


def test_signals_tell_who_was_issued_and_revoked_what(api_client, personas):
    from core.signals import token_issued, token_revoked

    seen = []

    def record(signal_name):
        def receiver(sender, token, user, request, reason, **kwargs):
            seen.append((signal_name, user.username, token.name, reason, request is not None))

        return receiver

    on_issue, on_revoke = record("issued"), record("revoked")
    token_issued.connect(on_issue)
    token_revoked.connect(on_revoke)
    try:
        key = login(api_client, device="phone")["token"]
        login(api_client, device="phone")
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    finally:
        token_issued.disconnect(on_issue)
        token_revoked.disconnect(on_revoke)
    assert seen == [
        ("issued", "collector", "phone", "login", True),
        ("revoked", "collector", "phone", "replaced", True),
        ("issued", "collector", "phone", "login", True),
    ]


def test_the_console_lists_the_users_own_tokens_and_revokes_them(api_client, client, personas):
    from core.models import ApiToken

    login(api_client, device="phone")
    login(api_client, username="dispatcher", device="desk")
    client.force_login(personas["collector"])
    page = client.get("/account/tokens/").content.decode()
    assert "phone" in page and "desk" not in page and "我的设备" in page
    others = ApiToken.objects.get(name="desk")
    assert client.post(f"/account/tokens/{others.pk}/revoke/").status_code == 404
    own = ApiToken.objects.get(name="phone")
    assert client.post(f"/account/tokens/{own.pk}/revoke/").status_code == 302
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["desk"]


def test_the_admin_lists_tokens_and_revokes_them(api_client, client, personas):
    from core.models import ApiToken

    login(api_client, device="phone")
    client.force_login(personas["admin"])  # the role, not a superuser
    assert "phone" in client.get("/admin/core/apitoken/").content.decode()
    assert client.get("/admin/core/apitoken/add/").status_code == 403
    ids = [str(pk) for pk in ApiToken.objects.values_list("pk", flat=True)]
    response = client.post("/admin/core/apitoken/", {"action": "revoke_selected", "_selected_action": ids})
    assert response.status_code == 302
    assert not ApiToken.objects.exists()


def test_tokens_of_drf_authtoken_carry_over_hashed(personas):
    """The migration from DRF's authtoken table: the same keys keep working, stored as digests."""
    import importlib

    from django.apps import apps

    from core.authentication import TokenAuthentication
    from core.models import ApiToken

    migration = importlib.import_module("core.migrations.0004_api_token")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40), user_id bigint, created timestamptz)")
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, now())", ["a" * 40, personas["collector"].pk])
    migration.hash_legacy_tokens(apps, type("Editor", (), {"connection": connection})())
    token = ApiToken.objects.get()
    assert token.name == "legacy" and token.digest != "a" * 40
    user, _ = TokenAuthentication().authenticate_credentials("a" * 40)
    assert user == personas["collector"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
