"""The channels without Redis (the outbox keeps the work, the sweeper recovers a lost task) and in the admin (secrets
write-only and kept out of the audit log, numbers masked in the delivery lists)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from core import outbox
from core.messaging.models import Channel, Delivery, Rule
from core.models import AuditEntry, OutboxMessage
from tests.messaging.conftest import HEAD_PHONE, SMS_PASSWORD, WECOM_KEY, log_of, overdue

pytestmark = pytest.mark.django_db


def test_with_redis_down_the_sms_waits_in_the_outbox_and_goes_out_once(
    disposing,
    head,
    sms_channel,
    sms_receiver,
    broker,
    run_tasks,
    sweep,
    django_capture_on_commit_callbacks,
):
    Rule.objects.create(kind="case_overdue", user=head, channel=sms_channel)
    broker.kill()
    assert overdue(django_capture_on_commit_callbacks) == 1  # the scan, the notices and the routing need no Redis
    delivery = Delivery.objects.get()
    assert delivery.status == "queued"
    waiting = OutboxMessage.objects.get(handler="core.messaging.services.publish_sends")
    assert waiting.delivered_at is None and waiting.last_error  # the publish failed and is kept

    broker.start()
    OutboxMessage.objects.filter(pk=waiting.pk).update(due_at=timezone.now())  # skip the back-off
    outbox.relay()  # (also the case's own earlier notices, left pending by the fixture)
    waiting.refresh_from_db()
    assert waiting.delivered_at is not None and outbox.relay() == 0
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == "sent" and len(sms_receiver.accepted) == 1
    assert sms_receiver.accepted[0].json()["mobile"] == HEAD_PHONE


def test_a_task_the_broker_lost_is_queued_again_when_its_lease_runs_out(
    disposing,
    head,
    sms_channel,
    sms_receiver,
    broker,
    run_tasks,
    sweep,
    django_capture_on_commit_callbacks,
):
    Rule.objects.create(kind="case_overdue", user=head, channel=sms_channel)
    overdue(django_capture_on_commit_callbacks)
    assert broker.client().llen("notifications") == 1  # the messaging tasks' queue
    broker.client().flushall()  # Redis restarted without persistence: the task is gone
    delivery = Delivery.objects.get()
    assert sweep(timezone.now()) == []  # leased: not yet
    assert sweep(delivery.next_attempt_at + timedelta(seconds=1)) == [delivery.pk]
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == "sent" and len(sms_receiver.requests) == 1
    assert log_of(delivery) == ["queued", "sent"]


@pytest.fixture
def admin_client(client, personas):
    client.force_login(personas["admin"])
    return client


def channel_form(**fields) -> dict:
    data = {
        "name": "值班群",
        "kind": "wecom",
        "is_active": "on",
        "url": "",
        "token": "",
        "secret": "",
        "timeout": "10",
        "account": "",
        "sign_name": "",
        "template": "",
        "body_format": "json",
    }
    return {**data, **fields}


def test_the_admin_never_shows_or_logs_a_secret(admin_client):
    pasted = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM_KEY}"
    response = admin_client.post("/admin/messaging/channel/add/", channel_form(url=pasted))
    assert response.status_code == 302, response.content.decode()[:2000]
    channel = Channel.objects.get()
    assert channel.url == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send" and channel.token == WECOM_KEY

    listing = admin_client.get("/admin/messaging/channel/").content.decode()
    form = admin_client.get(f"/admin/messaging/channel/{channel.pk}/change/").content.decode()
    assert "qyapi.weixin.qq.com" in listing and WECOM_KEY not in listing and WECOM_KEY not in form

    # Saving without retyping the key keeps it; a new secret replaces nothing else; the audit log has ***.
    edited = channel_form(url=channel.url, secret="SEC-new-secret", name="值班群（新）")
    assert admin_client.post(f"/admin/messaging/channel/{channel.pk}/change/", edited).status_code == 302
    channel.refresh_from_db()
    assert (channel.token, channel.secret, channel.name) == (WECOM_KEY, "SEC-new-secret", "值班群（新）")
    logged = json.dumps(list(AuditEntry.objects.filter(object_type="messaging.channel").values_list("data")))
    assert AuditEntry.objects.filter(object_type="messaging.channel").count() == 2
    assert WECOM_KEY not in logged and "SEC-new-secret" not in logged and "***" in logged

    cleared = channel_form(url=channel.url, clear_secrets="on")
    assert admin_client.post(f"/admin/messaging/channel/{channel.pk}/change/", cleared).status_code == 302
    channel.refresh_from_db()
    assert (channel.token, channel.secret) == ("", "")


def test_delivery_lists_mask_the_numbers_and_are_read_only(
    disposing,
    head,
    sms_channel,
    run_tasks,
    admin_client,
    django_capture_on_commit_callbacks,
):
    Rule.objects.create(kind="case_overdue", user=head, channel=sms_channel)
    overdue(django_capture_on_commit_callbacks)
    run_tasks()
    delivery = Delivery.objects.get(status="sent")
    for page in ("/admin/messaging/delivery/", "/admin/messaging/deliverylog/"):
        body = admin_client.get(page).content.decode()
        assert "138****8000" in body and HEAD_PHONE not in body and SMS_PASSWORD not in body
    detail = admin_client.get(f"/admin/messaging/delivery/{delivery.pk}/change/").content.decode()
    assert "138****8000" in detail and HEAD_PHONE not in detail and "已发送" in detail
    assert admin_client.get("/admin/messaging/deliverylog/add/").status_code == 403
    assert admin_client.post(f"/admin/messaging/delivery/{delivery.pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_test_message_from_the_admin_takes_the_normal_path(
    admin_client, personas, wecom_channel, wecom_receiver, sms_channel, run_tasks, django_capture_on_commit_callbacks
):
    action = {"action": "send_test_message", "_selected_action": [wecom_channel.pk, sms_channel.pk]}
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post("/admin/messaging/channel/", action).status_code == 302
    run_tasks()
    assert len(wecom_receiver.accepted) == 1
    assert (
        wecom_receiver.accepted[0].json()["text"]["content"].startswith("【通道测试】指挥中心测试消息，由 admin 发送")
    )
    sms = Delivery.objects.get(channel=sms_channel)  # the administrator has no mobile number
    assert sms.recipient == personas["admin"] and sms.status == "failed"
    assert sms.last_error == "recipient has no mobile number"
