"""Delivery to a real receiver on 127.0.0.1: every version of every case arrives exactly once and in order per case,
also after the receiver was down; refusals keep the peer's reason; a wrong key is retried, never lost."""

from __future__ import annotations

import pytest

from exchange.networking import tasks
from exchange.networking.delivery import deliver_peer
from exchange.networking.models import Delivery, DeliveryAttempt, DeliveryState, Peer
from tests.exchange.conftest import FULL_PATH

pytestmark = pytest.mark.django_db


def _states(peer) -> dict[str, int]:
    counts: dict[str, int] = {}
    for state in Delivery.objects.filter(peer=peer).values_list("state", flat=True):
        counts[state] = counts.get(state, 0) + 1
    return counts


def test_every_version_arrives_once_in_order_after_the_receiver_was_down(peer, receiver, report, act):
    cases = [report() for _ in range(3)]
    for case in cases:
        for action in FULL_PATH[:3]:  # accept, register, dispatch: three versions each
            act(case, action)
    queued = Delivery.objects.filter(peer=peer, state=DeliveryState.QUEUED)
    assert queued.count() == 9
    tasks.deliver()  # the Celery task's function, as beat runs it
    assert _states(peer) == {DeliveryState.ACKNOWLEDGED: 9}
    assert receiver.batches == 3  # batch_size 3

    receiver.stop()  # the upper platform goes away
    for case in cases:
        for action in FULL_PATH[3:]:  # sign … close: five more versions each
            act(case, action)
    outcome = deliver_peer(peer.pk)
    assert outcome["failed"] and outcome["records"] == 0
    peer.refresh_from_db()
    assert peer.failures == 1 and peer.next_attempt_at is not None and "ConnectionRefusedError" in peer.last_error
    assert deliver_peer(peer.pk)["skipped"] == "backing off"  # beat waits for the back-off
    assert _states(peer) == {DeliveryState.ACKNOWLEDGED: 9, DeliveryState.QUEUED: 15}
    failed = DeliveryAttempt.objects.filter(peer=peer, http_status__isnull=True).get()
    assert failed.records == 3 and "ConnectionRefusedError" in failed.error

    receiver.start()  # back, on the same port
    Peer.objects.filter(pk=peer.pk).update(next_attempt_at=None)  # the back-off has passed
    tasks.deliver()
    assert _states(peer) == {DeliveryState.ACKNOWLEDGED: 24}
    assert receiver.duplicates == 0 and receiver.bad_signatures == 0
    assert len(receiver.arrivals) == len(set(receiver.arrivals)) == 24
    for case in cases:
        assert receiver.versions("case", case.case_no) == list(range(1, 9))  # every version, in order
        latest = receiver.records[("case", case.case_no)]["data"]
        assert latest["status"] == "closed" and latest["class_code"] == "06010"
        assert [step["action"] for step in latest["steps"]] == ["report", *FULL_PATH]
        assert all(step["at"].endswith("+08:00") for step in latest["steps"])
        flags = {step["action"]: step["on_time"] for step in latest["steps"]}
        assert flags["accept"] is True and flags["close"] is True and flags["sign"] is None
    peer.refresh_from_db()
    assert peer.failures == 0 and peer.last_success_at is not None


def test_a_failed_older_version_holds_back_the_newer_ones(peer, receiver, report, act):
    case = report()
    act(case, "accept")
    receiver.fail_with = 503
    assert deliver_peer(peer.pk)["failed"]
    act(case, "register")
    act(case, "dispatch")
    assert deliver_peer(peer.pk, force=True)["failed"]  # still failing: v2 and v3 wait behind v1
    assert receiver.arrivals == []
    assert Delivery.objects.get(peer=peer, version=1).attempts == 2
    receiver.fail_with = None
    deliver_peer(peer.pk, force=True)
    assert receiver.versions("case", case.case_no) == [1, 2, 3]


def test_refusals_keep_the_peers_reason_and_do_not_stop_the_rest(peer, receiver, report, act):
    refused, fine = report(), report()
    act(refused, "accept")
    act(fine, "accept")
    receiver.refuse[("case", refused.case_no)] = "网格编码不存在"
    deliver_peer(peer.pk)
    row = Delivery.objects.get(peer=peer, key=refused.case_no)
    assert row.state == DeliveryState.REFUSED and row.reason == "网格编码不存在" and row.answered_at
    assert Delivery.objects.get(peer=peer, key=fine.case_no).state == DeliveryState.ACKNOWLEDGED
    assert receiver.versions("case", fine.case_no) == [1]

    receiver.refuse_batch = "批次格式错误：records[0].data.grid_code"
    act(fine, "register")
    deliver_peer(peer.pk)
    whole = Delivery.objects.get(peer=peer, key=fine.case_no, version=2)
    assert whole.state == DeliveryState.REFUSED and whole.reason == "批次格式错误：records[0].data.grid_code"
    assert DeliveryAttempt.objects.filter(peer=peer, http_status=422, refused=1).exists()


def test_a_wrong_key_is_refused_by_the_peer_and_retried_not_lost(peer, receiver, report, act):
    Peer.objects.filter(pk=peer.pk).update(secret="not-the-peers-key-at-all")
    case = report()
    act(case, "accept")
    assert deliver_peer(peer.pk)["failed"]
    assert receiver.bad_signatures == 1 and receiver.arrivals == []
    row = Delivery.objects.get(peer=peer)
    assert row.state == DeliveryState.QUEUED and "HTTP 401" in row.last_error and "签名无效" in row.last_error
    Peer.objects.filter(pk=peer.pk).update(secret=receiver.secret)
    deliver_peer(peer.pk, force=True)
    assert receiver.versions("case", case.case_no) == [1]


def test_running_the_listener_twice_queues_nothing_twice(peer, report, act):
    from exchange.networking.services import on_case_transition

    case = report()
    act(case, "accept")
    event = case.events.latest("id")
    on_case_transition(case.pk, event.pk)
    on_case_transition(case.pk, event.pk)
    assert list(Delivery.objects.filter(peer=peer).values_list("version", flat=True)) == [1]


def test_a_rolled_back_action_queues_nothing(peer, report, act, cast):
    from django.core.exceptions import ValidationError

    from cases.services.transitions import perform

    case = report()
    act(case, "accept")
    with pytest.raises(ValidationError):
        perform(case.pk, "register", cast["leader"], condition=999999)  # no such condition: nothing changes
    assert list(Delivery.objects.filter(peer=peer).values_list("version", flat=True)) == [1]
