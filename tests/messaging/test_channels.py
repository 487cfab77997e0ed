"""Notification channels end to end: a case event → in-app notification → outbox → rules → Celery task (published to
the test's own Redis) → a real receiver on 127.0.0.1 → the delivery log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.services.transitions import perform
from core.choices import Role
from core.messaging import services
from core.messaging.models import Delivery, DeliveryLog, Rule
from core.models import Notification
from tests.messaging.conftest import (
    DINGTALK_SECRET,
    HEAD_PHONE,
    SMS_PASSWORD,
    SMS_SIGNING_KEY,
    WECOM_KEY,
    at,
    log_of,
    overdue,
)

pytestmark = pytest.mark.django_db


def test_an_overdue_case_sends_the_department_head_an_sms(
    disposing, head, cast, department, sms_channel, sms_receiver, run_tasks, django_capture_on_commit_callbacks
):
    Rule.objects.create(kind="case_overdue", user=head, department=department, channel=sms_channel)
    assert overdue(django_capture_on_commit_callbacks) == 1
    # In-app as before (every dispatcher and the department's handlers), and one SMS queued for the head.
    assert Notification.objects.filter(kind="case_overdue", recipient=head).count() == 1
    delivery = Delivery.objects.get()
    assert (delivery.recipient, delivery.address, delivery.status) == (head, HEAD_PHONE, "queued")
    assert sms_receiver.requests == []  # nothing is sent inside the transaction or the web process

    ran = run_tasks()
    assert [name for name, _kwargs in ran] == ["core.messaging.tasks.send_delivery"]
    assert len(sms_receiver.accepted) == 1
    body = sms_receiver.accepted[0].json()
    assert body["mobile"] == HEAD_PHONE and body["account"] == "cgzx" and body["password"] == SMS_PASSWORD
    assert body["template"] == "SMS_0001" and body["out_id"] == f"cm-{delivery.pk}"
    assert body["content"].startswith("【璧山城管】") and disposing.case_no in body["content"]
    assert body["params"]["kind"] == "案件超期"
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 1 and delivery.sent_at is not None
    assert log_of(delivery) == ["queued", "sent"]

    # A second scan, a re-routed event, a copy of the task: no second SMS.
    assert overdue(django_capture_on_commit_callbacks, at(3, 15)) == 0
    event = {"kind": "case_overdue", "message": "x", "url": "", "key": delivery.event_key, "recipients": [head.pk]}
    assert services.route([event]) == 0
    assert run_tasks() == []
    assert services.attempt(delivery.pk, 1) == "skipped" and services.attempt(delivery.pk, 2) == "skipped"
    assert len(sms_receiver.requests) == 1 and Delivery.objects.count() == 1


def test_a_role_rule_narrowed_to_a_department_reaches_only_its_handlers(
    disposing, head, cast, department, sms_channel, sms_receiver, run_tasks, django_capture_on_commit_callbacks
):
    cast["handler"].phone = "13900139000"
    cast["handler"].save()
    Rule.objects.create(kind="case_overdue", role=Role.HANDLER, department=department, channel=sms_channel)
    Rule.objects.create(kind="case_overdue", role=Role.HANDLER, channel=sms_channel)  # the same person twice: once
    overdue(django_capture_on_commit_callbacks)
    run_tasks()
    assert sorted(r.json()["mobile"] for r in sms_receiver.accepted) == [HEAD_PHONE, "13900139000"]
    assert Delivery.objects.count() == 2  # not the dispatchers: the rule names handlers


def test_an_urgent_case_posts_to_the_duty_group_robots(
    new_case,
    cast,
    urgent_condition,
    wf_class,
    wecom_channel,
    wecom_receiver,
    dingtalk_channel,
    dingtalk_receiver,
    run_tasks,
    django_capture_on_commit_callbacks,
):
    Rule.objects.create(kind="case_urgent", channel=wecom_channel)
    Rule.objects.create(kind="case_urgent", channel=dingtalk_channel)
    ordinary, urgent = new_case(), new_case()
    with django_capture_on_commit_callbacks(execute=True):
        for case, condition in ((ordinary, wf_class["condition"]), (urgent, urgent_condition)):
            perform(case.pk, "accept", cast["operator"])
            perform(case.pk, "register", cast["leader"], condition=condition.pk)
    # The dispatchers hear of the urgent case in the console; the duty group's robots once each.
    assert Notification.objects.filter(kind="case_urgent", recipient=cast["dispatcher"]).count() == 1
    run_tasks()
    assert len(wecom_receiver.accepted) == 1 and len(dingtalk_receiver.accepted) == 1
    wecom = wecom_receiver.accepted[0]
    assert wecom.query["key"] == WECOM_KEY
    content = wecom.json()["text"]["content"]
    assert content.startswith("【紧急案件立案】") and urgent.case_no in content and "井盖缺失" in content
    assert ordinary.case_no not in content
    ding = dingtalk_receiver.accepted[0]  # the receiver checked timestamp and sign with the secret
    assert ding.json()["text"]["content"] == content and ding.json()["at"] == {"atMobiles": [], "isAtAll": False}
    assert set(Delivery.objects.values_list("status", "urgent")) == {("sent", True)}
    assert Delivery.objects.filter(recipient__isnull=True).count() == 2  # posted to the group, not per person


def test_quiet_hours_hold_an_sms_until_they_end_but_not_an_urgent_one(
    sweep, disposing, head, department, sms_channel, sms_receiver, run_tasks, django_capture_on_commit_callbacks
):
    from datetime import time

    from core.messaging.models import Preference

    Rule.objects.create(
        kind="case_overdue", user=head, channel=sms_channel, quiet_start=time(22, 0), quiet_end=time(7, 0)
    )
    overdue(django_capture_on_commit_callbacks)
    run_tasks(now=at(3, 22, 30))
    delivery = Delivery.objects.get()
    assert delivery.status == "held" and delivery.next_attempt_at == at(4, 7)
    assert sms_receiver.requests == []
    entry = DeliveryLog.objects.filter(delivery=delivery, status="held").get()
    assert entry.detail == "until 2025-06-04 07:00"

    assert sweep(at(4, 6, 59)) == []
    assert sweep(at(4, 7, 0)) == [delivery.pk]
    run_tasks(now=at(4, 7, 0))
    delivery.refresh_from_db()
    assert delivery.status == "sent" and len(sms_receiver.accepted) == 1
    assert log_of(delivery) == ["queued", "held", "queued", "sent"]

    # The user's own quiet hours hold too; an urgent kind goes through them.
    Preference.objects.create(user=head, quiet_start=time(21, 0), quiet_end=time(6, 30))
    Rule.objects.create(kind="case_urgent", user=head, channel=sms_channel)
    from core.notifications import notify

    with django_capture_on_commit_callbacks(execute=True):
        notify([head], "case_urgent", "紧急案件 T1 已立案", dedupe_key="urgent:t1")
        notify([head], "case_overdue", "案件 T2 超期", dedupe_key="overdue:t2")
    run_tasks(now=at(5, 22, 30))
    late = Delivery.objects.exclude(pk=delivery.pk)
    assert dict(late.values_list("kind", "status")) == {"case_urgent": "sent", "case_overdue": "held"}
    assert late.get(kind="case_overdue").next_attempt_at == at(6, 7)  # the later of the two windows' ends


def test_a_gateway_failure_is_retried_with_back_off_and_sent_exactly_once(
    sweep, disposing, head, sms_channel, sms_receiver, run_tasks, django_capture_on_commit_callbacks
):
    Rule.objects.create(kind="case_overdue", user=head, channel=sms_channel)
    sms_receiver.fail_next = [(503, "gateway busy"), (502, {"code": "E502", "message": "upstream down"})]
    overdue(django_capture_on_commit_callbacks)
    start = timezone.now()
    run_tasks(now=start)
    delivery = Delivery.objects.get()
    assert delivery.status == "retrying" and delivery.attempts == 1 and "HTTP 503" in delivery.last_error
    assert delivery.next_attempt_at == start + timedelta(seconds=30)

    # Not due yet: nothing queued. Due: queued once, however many sweeps run.
    assert sweep(start + timedelta(seconds=29)) == []
    assert sweep(start + timedelta(seconds=31)) == [delivery.pk]
    assert sweep(start + timedelta(seconds=32)) == []  # leased
    run_tasks(now=start + timedelta(seconds=31))
    delivery.refresh_from_db()
    assert delivery.status == "retrying" and delivery.attempts == 2 and "HTTP 502" in delivery.last_error
    assert delivery.next_attempt_at == start + timedelta(seconds=31 + 60)  # doubled

    sweep(start + timedelta(seconds=95))
    sweep(start + timedelta(seconds=95 + 301))  # the lease ran out: queued a second time
    ran = run_tasks(now=start + timedelta(seconds=95 + 302))
    assert [kwargs["attempt"] for _name, kwargs in ran] == [3, 3]
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 3
    assert len(sms_receiver.requests) == 3 and len(sms_receiver.accepted) == 1  # two failures, one SMS
    assert log_of(delivery) == ["queued", "retrying", "retrying", "sent"]
    assert sweep(start + timedelta(days=1)) == []


def test_a_refusing_receiver_is_logged_with_its_reason_and_not_retried(
    sweep,
    disposing,
    head,
    cast,
    sms_channel,
    dingtalk_channel,
    sms_receiver,
    run_tasks,
    django_capture_on_commit_callbacks,
):
    dingtalk_channel.secret = "SEC-a-wrong-secret"
    dingtalk_channel.save()
    cast["handler"].phone = "12345"  # not a mobile number: the gateway says so
    cast["handler"].save()
    Rule.objects.create(kind="case_overdue", channel=dingtalk_channel)
    Rule.objects.create(kind="case_overdue", role=Role.HANDLER, channel=sms_channel)
    Rule.objects.create(kind="case_overdue", role=Role.DISPATCHER, channel=sms_channel)  # dispatchers: no number
    overdue(django_capture_on_commit_callbacks)
    run_tasks()
    robot = Delivery.objects.get(channel=dingtalk_channel)
    assert robot.status == "failed" and robot.last_error == "errcode 310000: sign not match"
    assert log_of(robot) == ["queued", "failed"]
    assert "sign not match" in DeliveryLog.objects.get(delivery=robot, status="failed").detail
    refused = Delivery.objects.get(recipient=cast["handler"])
    assert refused.status == "failed" and refused.last_error == "code E102: invalid mobile *****"
    no_number = Delivery.objects.get(recipient=cast["dispatcher"])
    assert no_number.status == "failed" and no_number.last_error == "recipient has no mobile number"
    assert Delivery.objects.get(recipient=head).status == "sent"
    assert sweep(timezone.now() + timedelta(days=1)) == []  # refusals are final
    for text in DeliveryLog.objects.values_list("detail", flat=True):
        assert DINGTALK_SECRET not in text and "SEC-a-wrong-secret" not in text and SMS_SIGNING_KEY not in text


def test_an_unreachable_receiver_gives_up_after_the_last_attempt(
    sweep, disposing, head, sms_channel, sms_receiver, run_tasks, settings, django_capture_on_commit_callbacks
):
    settings.MESSAGING_MAX_ATTEMPTS = 2
    sms_channel.url = "http://127.0.0.1:9/sms/send"  # discard port: nobody listens
    sms_channel.save()
    Rule.objects.create(kind="case_overdue", user=head, channel=sms_channel)
    overdue(django_capture_on_commit_callbacks)
    now = timezone.now()
    run_tasks(now=now)
    delivery = Delivery.objects.get()
    assert delivery.status == "retrying" and "ConnectionRefusedError" in delivery.last_error
    sweep(now + timedelta(minutes=1))
    run_tasks(now=now + timedelta(minutes=1))
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 2
    assert DeliveryLog.objects.get(delivery=delivery, status="failed").detail.startswith("gave up after 2 attempts")


def test_email_goes_through_djangos_mail_backend(
    disposing, head, cast, department, run_tasks, mailoutbox, django_capture_on_commit_callbacks, settings
):
    from core.messaging.models import Channel

    settings.MESSAGING_SITE_URL = "https://cm.example.gov.cn"
    head.email = "wang.kezhang@example.gov.cn"
    head.save()
    mail = Channel.objects.create(name="邮件", kind="email", account="noreply@example.gov.cn")
    Rule.objects.create(kind="case_overdue", role=Role.HANDLER, channel=mail)
    overdue(django_capture_on_commit_callbacks)
    run_tasks()
    assert [m.to for m in mailoutbox] == [["wang.kezhang@example.gov.cn"]]
    message = mailoutbox[0]
    assert message.from_email == "noreply@example.gov.cn" and "案件超期" in message.subject
    assert disposing.case_no in message.body
    assert f"https://cm.example.gov.cn/cases/{disposing.pk}/" in message.body
    assert Delivery.objects.get(recipient=cast["handler"]).last_error == "recipient has no e-mail address"


def test_users_opt_out_and_in_on_their_own(
    disposing, head, cast, sms_channel, sms_receiver, run_tasks, django_capture_on_commit_callbacks
):
    from core.messaging.models import Preference

    cast["handler"].phone = "13900139000"
    cast["handler"].save()
    Preference.objects.create(user=head, sms="off")
    Rule.objects.create(kind="case_overdue", role=Role.HANDLER, channel=sms_channel)
    Rule.objects.create(kind="case_overdue", role=Role.DISPATCHER, channel=sms_channel, opt_in=True)
    Preference.objects.create(user=cast["dispatcher"], sms="on")
    cast["dispatcher"].phone = "13700137000"
    cast["dispatcher"].save()
    overdue(django_capture_on_commit_callbacks)
    run_tasks()
    assert sorted(r.json()["mobile"] for r in sms_receiver.accepted) == ["13700137000", "13900139000"]


def test_no_rule_no_outbox_row_and_a_rolled_back_notification_sends_nothing(
    head, sms_channel, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from core.models import OutboxMessage
    from core.notifications import notify

    notify([head], "case_overdue", "无规则")
    assert not OutboxMessage.objects.exists()
    Rule.objects.create(kind="case_overdue", user=head, channel=sms_channel)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            notify([head], "case_overdue", "回滚")
            raise RuntimeError("the change fails")
    assert not OutboxMessage.objects.exists() and not Delivery.objects.exists()


def test_the_delivery_log_is_append_only(disposing, head, sms_channel, broker, django_capture_on_commit_callbacks):
    from django.db import DatabaseError, transaction

    Rule.objects.create(kind="case_overdue", user=head, channel=sms_channel)
    overdue(django_capture_on_commit_callbacks)
    entry = DeliveryLog.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        DeliveryLog.objects.filter(pk=entry.pk).update(detail="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        DeliveryLog.objects.filter(pk=entry.pk).delete()


def test_a_form_encoded_gateway_gets_the_same_fields(
    disposing, head, sms_channel, sms_receiver, run_tasks, django_capture_on_commit_callbacks
):
    import json

    sms_channel.body_format = "form"
    sms_channel.save()
    Rule.objects.create(kind="case_overdue", user=head, channel=sms_channel)
    overdue(django_capture_on_commit_callbacks)
    run_tasks()
    [request] = sms_receiver.accepted  # the gateway checked X-Signature over the form body
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    fields = request.form()
    assert fields["mobile"] == HEAD_PHONE and fields["password"] == SMS_PASSWORD
    assert json.loads(fields["params"])["message"].startswith("案件") and disposing.case_no in fields["content"]
