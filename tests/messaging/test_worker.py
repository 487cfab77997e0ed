"""The whole path with a real Celery worker (in a thread, on the test's own Redis) and real SMTP (aiosmtpd on
127.0.0.1): nothing is run by hand — the commit delivers the outbox, the outbox publishes, the worker sends."""

from __future__ import annotations

import socket
import time

import pytest
from celery.contrib.testing.worker import start_worker

from citymgmt.celery import app as celery_app
from core.messaging.models import Channel, Delivery, Rule
from core.notifications import notify

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(condition, seconds: float = 15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def worker(broker):
    import core.messaging.tasks  # noqa: F401  (registers the tasks with the app)

    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING") as running:
        yield running


@pytest.fixture
def smtp_server():
    controller_module = pytest.importorskip("aiosmtpd.controller")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    received: list = []

    class Recorder:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    controller = controller_module.Controller(Recorder(), hostname="127.0.0.1", port=port)
    controller.start()
    controller.received = received
    yield controller
    controller.stop()


def test_a_worker_sends_robot_sms_and_mail_without_help(
    worker, make_user, department, sms_channel, wecom_channel, wecom_receiver, sms_receiver, smtp_server, settings
):
    from core.choices import Role

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    mail = Channel.objects.create(name="邮件", kind="email", account="noreply@example.gov.cn", timeout=5)
    head = make_user("head", Role.HANDLER, department=department, phone="13800138000", email="head@example.gov.cn")
    for channel in (sms_channel, mail):
        Rule.objects.create(kind="case_overdue", user=head, channel=channel)
    Rule.objects.create(kind="case_overdue", channel=wecom_channel)

    notify([head], "case_overdue", "案件 T1 超期未处置", dedupe_key="overdue:t1")  # commits: the outbox runs

    assert wait_for(lambda: Delivery.objects.filter(status="sent").count() == 3), list(
        Delivery.objects.values_list("channel__kind", "status", "last_error")
    )
    assert len(sms_receiver.accepted) == 1 and len(wecom_receiver.accepted) == 1
    assert [e.rcpt_tos for e in smtp_server.received] == [["head@example.gov.cn"]]
    assert "案件 T1 超期未处置" in smtp_server.received[0].content.decode("utf-8")
    # Notified again with the same key: nothing more goes out.
    notify([head], "case_overdue", "案件 T1 超期未处置", dedupe_key="overdue:t1")
    time.sleep(1.0)
    assert Delivery.objects.count() == 3 and len(sms_receiver.requests) == 1 and len(smtp_server.received) == 1
