"""The inbound endpoint: an upper platform's signed 督办 becomes an urge on the case's timeline (the platform as its
source), the answer goes back up and follows the case to its closure; bad signatures, replays, bad fields and
repeated posts are refused or answered without creating anything."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time

import pytest

from cases.models import CaseEvent
from exchange.networking.delivery import deliver_peer
from exchange.networking.models import Delivery, InboundItem, Peer
from tests.exchange.conftest import FULL_PATH, SECRET

pytestmark = pytest.mark.django_db
URL = "/exchange/inbound/"


def signed(body: dict | bytes, *, peer="hubei-province", secret=SECRET, stamp=None, nonce=None) -> dict:
    """The request as an upper platform sends it (its own HMAC code, not ours)."""
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    stamp = str(int(time.time()) if stamp is None else stamp)
    nonce = nonce or secrets.token_hex(12)
    digest = hmac.new(secret.encode(), stamp.encode() + b"\n" + nonce.encode() + b"\n" + raw, hashlib.sha256)
    return {
        "data": raw,
        "content_type": "application/json",
        "headers": {
            "X-Exchange-Peer": peer,
            "X-Exchange-Timestamp": stamp,
            "X-Exchange-Nonce": nonce,
            "X-Exchange-Signature": "sha256=" + digest.hexdigest(),
        },
    }


def supervision(case, item_id="DB-2026-0001", **extra) -> dict:
    return {
        "type": "supervision",
        "id": item_id,
        "case_no": case.case_no,
        "title": "群众反映垃圾久拖未清",
        "content": "请于今日内处置并反馈",
        "deadline": "2026-12-31T18:00:00+08:00",
        **extra,
    }


def test_a_supervision_item_urges_the_case_and_its_answer_follows_the_case_up(client, peer, receiver, report, act):
    Peer.objects.filter(pk=peer.pk).update(feeds=[])  # answers go to the poster whatever it receives
    case = report()
    act(case, "accept")
    response = client.post(URL, **signed(supervision(case)))
    assert response.status_code == 201, response.content
    assert response.json() == {**response.json(), "id": "DB-2026-0001", "created": True, "urged": True}

    urge = CaseEvent.objects.get(case=case, action="urge")
    assert urge.actor.username == "platform-hubei-province" and urge.actor.first_name == "省级平台"
    assert urge.data["source"] == "peer:hubei-province"
    assert "省级平台督办 DB-2026-0001" in urge.opinion and "请于今日内处置并反馈" in urge.opinion
    case.refresh_from_db()
    assert case.is_urged and case.urge_count == 1
    item = InboundItem.objects.get()
    assert item.case_id == case.pk and item.case_event_id == urge.pk

    deliver_peer(peer.pk)
    assert receiver.arrivals == [("supervision_reply", "hubei-province:DB-2026-0001", 1)]
    reply = receiver.records[("supervision_reply", "hubei-province:DB-2026-0001")]["data"]
    assert reply["case_no"] == case.case_no and reply["closed"] is False and reply["status"] == "accepted"
    assert not Delivery.objects.filter(kind="case").exists()  # this peer takes no case records

    for action in FULL_PATH[1:]:
        act(case, action)
    deliver_peer(peer.pk)
    versions = receiver.versions("supervision_reply", "hubei-province:DB-2026-0001")
    assert versions == sorted(versions) and len(versions) == 1 + len(FULL_PATH[1:])
    final = receiver.records[("supervision_reply", "hubei-province:DB-2026-0001")]["data"]
    assert final["closed"] is True and final["status"] == "closed" and final["closed_at"].endswith("+08:00")
    assert final["latest_step"]["action"] == "close"


def test_a_repeated_post_creates_nothing_new(client, peer, report, act):
    case = report()
    act(case, "accept")
    assert client.post(URL, **signed(supervision(case))).status_code == 201
    again = client.post(URL, **signed(supervision(case)))  # same item id, a fresh signature
    assert again.status_code == 200 and again.json()["created"] is False
    assert InboundItem.objects.count() == 1
    assert CaseEvent.objects.filter(case=case, action="urge").count() == 1


def test_a_supervision_of_a_closed_case_is_answered_with_the_closure(client, peer, report, act):
    case = report()
    for action in FULL_PATH:
        act(case, action)
    response = client.post(URL, **signed(supervision(case)))
    assert response.status_code == 201 and response.json()["urged"] is False
    reply = Delivery.objects.get(peer=peer, kind="supervision_reply")
    assert reply.payload["closed"] is True


def test_an_evaluation_task_is_stored(client, peer):
    body = {"type": "evaluation_task", "id": "KH-2026-11", "title": "11月考核", "period": "2026-11"}
    response = client.post(URL, **signed(body))
    assert response.status_code == 201
    item = InboundItem.objects.get()
    assert item.kind == "evaluation_task" and item.period == "2026-11" and item.case is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "memo"}, "type"),
        ({"id": ""}, "id"),
        ({"id": ["x"]}, "id"),
        ({"case_no": "20991231-99999"}, "case_no"),
        ({"deadline": "tomorrow"}, "deadline"),
        ({"deadline": "2026-12-31T18:00:00"}, "deadline"),  # no zone
        ({"content": ""}, "content"),
        ({"title": "x" * 201}, "title"),
        ({"content": "bad\u0000text"}, "content"),
    ],
)
def test_bad_fields_are_400_naming_the_field_and_write_nothing(client, peer, report, act, change, field):
    case = report()
    act(case, "accept")
    response = client.post(URL, **signed({**supervision(case), **change}))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert not InboundItem.objects.exists() and not CaseEvent.objects.filter(action="urge").exists()


def test_a_body_that_is_not_an_object_is_400(client, peer):
    assert client.post(URL, **signed(b"[1, 2]")).json() == {"errors": {"body": ["须为 JSON 对象。"]}}
    assert list(client.post(URL, **signed(b"{nope")).json()["errors"]) == ["body"]
    bad_period = {"type": "evaluation_task", "id": "KH-1", "period": "2026-13"}
    assert list(client.post(URL, **signed(bad_period)).json()["errors"]) == ["period"]


def test_signatures_are_checked(client, peer, report, act):
    case = report()
    act(case, "accept")
    body = supervision(case)
    assert client.post(URL, **signed(body, secret="a-different-key-altogether")).status_code == 401
    assert client.post(URL, **signed(body, peer="nobody")).status_code == 401
    assert client.post(URL, **signed(body, stamp=int(time.time()) - 3600)).status_code == 401  # stale
    unsigned = client.post(URL, data=json.dumps(body), content_type="application/json")
    assert unsigned.status_code == 401 and unsigned.json()["errors"]["signature"] == ["missing signature headers"]
    tampered = signed(body)
    tampered["data"] = tampered["data"].replace(b"DB-2026-0001", b"DB-2026-0002")
    assert client.post(URL, **tampered).status_code == 401
    first = signed(body, nonce="replayednonce0001")
    assert client.post(URL, **first).status_code == 201
    replay = client.post(URL, **first)
    assert replay.status_code == 401 and replay.json()["errors"]["signature"] == ["nonce already used"]
    Peer.objects.filter(pk=peer.pk).update(enabled=False)
    assert client.post(URL, **signed({**body, "id": "DB-2"})).status_code == 403
    assert InboundItem.objects.count() == 1
    assert client.get(URL).status_code == 405
    from core.models import AuditEntry

    refused = AuditEntry.objects.filter(action="login_failed", data__channel="exchange.inbound")
    assert refused.count() == 7 and refused.filter(data__peer="nobody").exists()
