"""The user's own notification page: contacts, opt-out/opt-in and quiet hours, validated, and obeyed by the routing."""

from __future__ import annotations

from datetime import time

import pytest

from core.choices import Role
from core.messaging.models import Delivery, Preference, Rule
from tests.messaging.conftest import overdue

pytestmark = pytest.mark.django_db
PAGE = "/account/notifications/"


def test_a_user_sets_contacts_choices_and_quiet_hours(client, head, sms_channel):
    Rule.objects.create(kind="case_overdue", role=Role.HANDLER, channel=sms_channel, note="超期短信")
    Rule.objects.create(kind="case_urged", role=Role.DISPATCHER, channel=sms_channel)  # not for a handler
    client.force_login(head)
    page = client.get(PAGE)
    assert page.status_code == 200
    body = page.content.decode()
    assert "我的通知设置" in body and "案件超期" in body and "案件督办" not in body and "13800138000" in body

    bad = client.post(PAGE, {"phone": "12345", "email": "", "sms": "", "mail": "", "quiet_start": "22:00"})
    assert bad.status_code == 400
    errors = bad.context["form"].errors
    assert set(errors) == {"phone", "quiet_end"}
    head.refresh_from_db()
    assert head.phone == "13800138000" and not Preference.objects.exists()  # nothing half-written

    good = {"phone": "139-0013-9000", "email": "w@example.gov.cn", "sms": "off", "mail": "on"}
    response = client.post(PAGE, {**good, "quiet_start": "22:00", "quiet_end": "07:00"})
    assert response.status_code == 302
    head.refresh_from_db()
    preference = Preference.objects.get(user=head)
    assert (head.phone, head.email) == ("13900139000", "w@example.gov.cn")
    assert (preference.sms, preference.email) == ("off", "on")
    assert (preference.quiet_start, preference.quiet_end) == (time(22), time(7))


def test_the_routing_obeys_the_users_choice(
    client, disposing, head, sms_channel, run_tasks, sms_receiver, django_capture_on_commit_callbacks
):
    Rule.objects.create(kind="case_overdue", user=head, channel=sms_channel)
    client.force_login(head)
    client.post(PAGE, {"phone": head.phone, "email": "", "sms": "off", "mail": ""})
    overdue(django_capture_on_commit_callbacks)
    run_tasks()
    assert not Delivery.objects.exists() and sms_receiver.requests == []
