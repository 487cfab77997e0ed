"""Fixtures of the notification-channel tests: the case tests' small city, real receivers on 127.0.0.1, the test's
own Redis as the Celery broker, and ``run_tasks`` — which takes the task messages the platform really published to
that broker and runs them in this process, as a worker would (optionally at a given time)."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from cases.services.transitions import perform
from cases.tasks import mark_overdue
from core.choices import Role
from core.messaging.models import DeliveryLog
from tests.messaging.receivers import Receiver, dingtalk_robot, sms_gateway, wecom_robot

SMS_ACCOUNT, SMS_PASSWORD, SMS_SIGNING_KEY = "cgzx", "sms-pass-4f9c", "sms-hmac-77aa"
WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DINGTALK_TOKEN, DINGTALK_SECRET = "dt-access-token-1234", "SEC-dingtalk-signing-secret-5678"


@pytest.fixture
def sms_receiver():
    receiver = Receiver(sms_gateway(SMS_ACCOUNT, SMS_PASSWORD, SMS_SIGNING_KEY)).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def wecom_receiver():
    receiver = Receiver(wecom_robot(WECOM_KEY)).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def dingtalk_receiver():
    receiver = Receiver(dingtalk_robot(DINGTALK_TOKEN, DINGTALK_SECRET)).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def sms_channel(db, sms_receiver):
    from core.messaging.models import Channel

    return Channel.objects.create(
        name="短信网关",
        kind="sms",
        url=f"{sms_receiver.url}/sms/send",
        account=SMS_ACCOUNT,
        token=SMS_PASSWORD,
        secret=SMS_SIGNING_KEY,
        sign_name="璧山城管",
        template="SMS_0001",
        timeout=3,
    )


@pytest.fixture
def wecom_channel(db, wecom_receiver):
    from core.messaging.models import Channel

    return Channel.objects.create(
        name="值班群（企业微信）",
        kind="wecom",
        url=f"{wecom_receiver.url}/cgi-bin/webhook/send",
        token=WECOM_KEY,
        timeout=3,
    )


@pytest.fixture
def dingtalk_channel(db, dingtalk_receiver):
    from core.messaging.models import Channel

    return Channel.objects.create(
        name="值班群（钉钉）",
        kind="dingtalk",
        url=f"{dingtalk_receiver.url}/robot/send",
        token=DINGTALK_TOKEN,
        secret=DINGTALK_SECRET,
        timeout=3,
    )


@pytest.fixture
def broker(private_redis):
    return private_redis


@pytest.fixture
def run_tasks(broker):
    """Run the Celery tasks waiting in the test's broker, oldest first; returns (task name, kwargs) of each.
    ``now`` (an aware datetime) is handed to the delivery tasks, so quiet hours are judged at that time."""
    from citymgmt.celery import app
    from core.messaging import tasks  # noqa: F401  (registers the tasks)

    def run(now=None) -> list[tuple[str, dict]]:
        client, ran = broker.client(), []
        while (raw := client.rpop("notifications") or client.rpop("default")) is not None:  # their queues
            message = json.loads(raw)
            name = message["headers"]["task"]
            args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            if now is not None and name == "core.messaging.tasks.send_delivery":
                kwargs["now"] = now.isoformat()
            app.tasks[name].apply(args=args, kwargs=kwargs)
            ran.append((name, kwargs))
        return ran

    return run


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Beat's sweeper at a given time, its outbox row delivered after the commit as in production."""
    from core.messaging import services

    def run(now) -> list[int]:
        with django_capture_on_commit_callbacks(execute=True):
            return services.release_due(now)

    return run


SH = ZoneInfo("Asia/Shanghai")
HEAD_PHONE = "13800138000"


def at(d, hh, mm=0):
    return datetime(2025, 6, d, hh, mm, tzinfo=SH)


def log_of(delivery) -> list[str]:
    return list(DeliveryLog.objects.filter(delivery=delivery).order_by("id").values_list("status", flat=True))


@pytest.fixture
def head(make_user, department):
    """The department head (科长) of 环卫所: a handler of the department with a mobile number."""
    return make_user("head", Role.HANDLER, department=department, phone=HEAD_PHONE, first_name="王科长")


@pytest.fixture
def disposing(new_case, cast, wf_class, department):
    """A case dispatched on Tuesday 3 June 2025 at 08:00 with 4 working hours: overdue after 12:00."""
    case = new_case(at=at(3, 8))
    perform(case.pk, "accept", cast["operator"], at=at(3, 8))
    perform(case.pk, "register", cast["leader"], condition=wf_class["condition"].pk, at=at(3, 8))
    return perform(case.pk, "dispatch", cast["dispatcher"], department=department.pk, at=at(3, 8))


@pytest.fixture
def urgent_condition(wf_class, department):
    from grids.models import FilingCondition

    return FilingCondition.objects.create(
        minor_class=wf_class["class"],
        code="T9",
        description="井盖缺失（测试）",
        limit_value=Decimal(2),
        limit_unit="natural_hours",
        urgency="urgent",
        default_department=department,
    )


def overdue(django_capture_on_commit_callbacks, moment=None) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return mark_overdue.apply(kwargs={"now": (moment or at(3, 12, 1)).isoformat()}).get()
