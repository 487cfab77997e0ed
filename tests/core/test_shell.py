"""The console shell: role-aware navigation and the unread-notification count in the top bar."""

import pytest

from core.models import Notification

pytestmark = pytest.mark.django_db


def test_top_bar_shows_the_unread_count(client, personas):
    user = personas["dispatcher"]
    Notification.objects.create(recipient=user, kind="case_overdue", message="案件超期")
    Notification.objects.create(recipient=user, kind="case_overdue", message="已读", read_at="2026-01-01T00:00Z")
    client.force_login(user)
    body = client.get("/").content.decode()
    assert 'id="unread-count">1<' in body


def test_navigation_follows_permissions(client, personas):
    client.force_login(personas["finance"])
    body = client.get("/").content.decode()
    assert 'href="/map/"' in body and 'href="/cases/"' not in body
    client.force_login(personas["dispatcher"])
    assert 'href="/cases/"' in client.get("/").content.decode()
