"""Lockouts and API tokens reach the security audit log, with the address the lockout rule uses."""

import pytest

from core.choices import AuditAction
from core.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def test_a_lockout_is_recorded_with_the_username_and_address(client, personas):
    for _ in range(5):
        client.post("/login/", {"username": "dispatcher", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    entry = AuditEntry.objects.get(action=AuditAction.LOCKOUT)
    assert entry.data["username"] == "dispatcher"
    assert entry.address == "10.1.2.3"
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 5


def test_issuing_and_revoking_a_token_is_recorded_without_its_key(api_client, personas):
    response = api_client.post(TOKEN_URL, {"username": "collector", "password": PASSWORD, "device": "phone"})
    assert response.status_code == 200
    key = response.json()["token"]
    issued = AuditEntry.objects.get(action=AuditAction.TOKEN_ISSUED)
    assert issued.actor_name == "collector"
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.post("/api/v1/auth/logout/").status_code == 204
    revoked = AuditEntry.objects.get(action=AuditAction.TOKEN_REVOKED)
    assert revoked.object_id == issued.object_id
    assert all(key not in str(e.data) + e.object_text for e in AuditEntry.objects.all())


def test_the_audit_address_follows_the_trusted_proxy_rule(client, personas, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        "/login/",
        {"username": "dispatcher", "password": "wrong"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED).address == "203.0.113.9"
