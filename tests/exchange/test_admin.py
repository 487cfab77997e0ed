"""The admin: peers with backlog, lag and refusals; "resend" puts records back in the queue and they arrive again
(harmlessly: same version); held-back records are listed; the key is never shown nor written to the audit log."""

from __future__ import annotations

import pytest

from core.models import AuditEntry
from exchange.networking.delivery import deliver_peer
from exchange.networking.models import Delivery, DeliveryState, Peer
from tests.exchange.conftest import SECRET

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, personas):
    client.force_login(personas["admin"])
    return client


def test_peer_list_shows_backlog_and_lag(admin_client, peer, report, act):
    case = report()
    act(case, "accept")
    act(case, "register")
    page = admin_client.get("/admin/exchange/peer/")
    assert page.status_code == 200
    row = page.content.decode()
    assert "省级平台" in row and '<td class="field-backlog">2</td>' in row
    assert SECRET not in row


def test_resend_from_the_admin(admin_client, peer, receiver, report, act):
    case = report()
    act(case, "accept")
    receiver.refuse[("case", case.case_no)] = "暂不接收"
    deliver_peer(peer.pk)
    row = Delivery.objects.get(peer=peer)
    assert row.state == DeliveryState.REFUSED
    listing = admin_client.get("/admin/exchange/delivery/?state=refused")
    assert "暂不接收" in listing.content.decode()
    detail = admin_client.get(f"/admin/exchange/delivery/{row.pk}/change/").content.decode()
    assert case.case_no in detail and "06010" in detail  # the payload as sent

    receiver.refuse.clear()
    response = admin_client.post(
        "/admin/exchange/delivery/", {"action": "resend", "_selected_action": [row.pk]}, follow=True
    )
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.state == DeliveryState.QUEUED
    admin_client.post("/admin/exchange/peer/", {"action": "deliver_now", "_selected_action": [peer.pk]})
    row.refresh_from_db()
    assert row.state == DeliveryState.ACKNOWLEDGED
    assert receiver.versions("case", case.case_no) == [1]


def test_held_records_are_listed(admin_client, peer, new_case, act):
    case = new_case()
    act(case, "accept")
    page = admin_client.get("/admin/exchange/heldrecord/")
    assert case.case_no in page.content.decode() and "96001" in page.content.decode()


def test_the_key_is_never_shown_nor_audited(admin_client, receiver):
    response = admin_client.post(
        "/admin/exchange/peer/add/",
        {
            "name": "国家平台",
            "code": "national",
            "level": "national",
            "url": receiver.url,
            "secret": "a-long-shared-secret-of-ours",
            "feeds": ["cases", "evaluation"],
            "enabled": "on",
            "batch_size": 500,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    peer = Peer.objects.get(code="national")
    assert peer.secret == "a-long-shared-secret-of-ours" and peer.feeds == ["cases", "evaluation"]
    form = admin_client.get(f"/admin/exchange/peer/{peer.pk}/change/").content.decode()
    assert "a-long-shared-secret-of-ours" not in form
    data = {"name": "国家平台", "code": "national", "level": "national", "url": receiver.url, "secret": ""}
    data.update({"feeds": ["cases"], "enabled": "on", "batch_size": 200})
    assert admin_client.post(f"/admin/exchange/peer/{peer.pk}/change/", data).status_code == 302
    peer.refresh_from_db()
    assert peer.secret == "a-long-shared-secret-of-ours" and peer.batch_size == 200  # empty: the key stays
    entries = AuditEntry.objects.filter(object_type__icontains="peer")
    assert entries.count() == 2
    assert all("a-long-shared-secret-of-ours" not in str(entry.data) for entry in entries)
