"""The hotline layer in the audit log (exports, imports, admin changes) and its admin keeping the workflow whole."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.choices import AuditAction
from core.models import AuditEntry
from hotlines.models import ChannelEvent, Hotline, OnlineOpinion, WorkOrder
from tests.hotlines.test_import import BAD, GOOD, workbook

pytestmark = pytest.mark.django_db


def _latest(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).order_by("-id").first()


@pytest.fixture
def superuser(cast):
    admin = cast["admin"]
    admin.is_superuser = True
    admin.save()
    return admin


def test_an_export_records_who_which_filters_and_how_many_rows(client, cast, receive_order):
    receive_order(order_type="complaint")
    receive_order(order_type="complaint")
    receive_order(order_type="consultation")
    client.force_login(cast["dispatcher"])
    response = client.get("/hotlines/export/", {"order_type": "complaint", "q": "垃圾"})
    assert response.status_code == 200
    entry = _latest(AuditAction.EXPORT)
    assert entry.actor == cast["dispatcher"] and entry.data["export"] == "hotline_orders"
    assert entry.data["filters"] == {"order_type": "complaint", "q": "垃圾"} and entry.data["rows"] == 2


def test_the_upload_page_records_file_rows_and_outcome(client, cast):
    client.force_login(cast["operator"])
    client.post("/hotlines/import/", {"file": workbook(GOOD + BAD)})
    refused = _latest(AuditAction.IMPORT)
    assert refused.actor == cast["operator"] and refused.data["import"] == "hotline_orders"
    assert refused.data["file_name"] == "orders.xlsx" and refused.data["rows"] == 5
    assert refused.data["outcome"] == "refused" and refused.data["errors"] == 6
    client.post("/hotlines/import/", {"file": workbook(GOOD)})
    written = _latest(AuditAction.IMPORT)
    assert (written.data["rows"], written.data["outcome"], written.data["errors"]) == (2, "written", 0)


def test_the_import_command_is_recorded_even_when_it_refuses(cast, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook(GOOD + BAD).getvalue())
    with pytest.raises(CommandError):
        call_command("import_hotline_orders", str(bad), "--user", "operator", stdout=io.StringIO())
    entry = _latest(AuditAction.IMPORT)
    assert entry.data["command"] == "import_hotline_orders" and entry.data["outcome"] == "refused"
    assert entry.data["file_name"] == str(bad) and entry.actor == cast["operator"]


def test_an_admin_change_is_recorded_with_before_and_after(client, superuser):
    hotline = Hotline.objects.get(code="12345")
    client.force_login(superuser)
    response = client.post(
        f"/admin/hotlines/hotline/{hotline.pk}/change/",
        {
            "code": hotline.code,
            "name": hotline.name,
            "case_source": hotline.case_source,
            "send_back_limit_days": "3.5",
            "is_active": "on",
        },
        REMOTE_ADDR="10.3.3.3",
    )
    assert response.status_code == 302
    entry = _latest(AuditAction.ADMIN_CHANGE)
    assert entry.actor == superuser and entry.object_type == "hotlines.hotline" and entry.object_id == str(hotline.pk)
    assert entry.data["changes"] == {"send_back_limit_days": ["2.00", "3.50"]} and str(entry.address) == "10.3.3.3"
    hotline.refresh_from_db()
    assert hotline.send_back_limit_days == Decimal("3.5")


def test_the_admin_cannot_change_an_orders_workflow_fields(client, superuser, receive_order, department):
    order = receive_order()
    client.force_login(superuser)
    page = client.get(f"/admin/hotlines/workorder/{order.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    response = client.post(
        f"/admin/hotlines/workorder/{order.pk}/change/",
        {"status": "completed", "department": department.pk, "satisfaction": "satisfied", "reply_text": "已办结"},
    )
    assert response.status_code == 403
    fresh = WorkOrder.objects.get(pk=order.pk)
    assert (fresh.status, fresh.department_id, fresh.satisfaction, fresh.reply_text, fresh.deadline) == (
        order.status,
        order.department_id,
        order.satisfaction,
        order.reply_text,
        order.deadline,
    )


def test_an_order_with_events_cannot_be_deleted_in_the_admin(client, superuser, receive_order):
    order = receive_order()
    client.force_login(superuser)
    page = client.get(f"/admin/hotlines/workorder/{order.pk}/delete/")
    assert page.status_code == 200 and "无法删除" in page.content.decode()  # Cannot delete: protected events
    client.post(f"/admin/hotlines/workorder/{order.pk}/delete/", {"post": "yes"})
    bulk = client.post(
        "/admin/hotlines/workorder/", {"action": "delete_selected", "_selected_action": [order.pk], "post": "yes"}
    )
    assert bulk.status_code == 200 and "无法删除" in bulk.content.decode()
    assert WorkOrder.objects.filter(pk=order.pk).exists() and order.events.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.ADMIN_DELETE).exists()


def test_a_channel_record_with_a_history_cannot_be_deleted_in_the_admin(client, superuser):
    opinion = OnlineOpinion.objects.create(
        channel="mailbox", external_no="XX-1", title="路灯不亮", content="东关路路灯不亮", submitted_at=timezone.now()
    )
    ChannelEvent.objects.create(record_kind="opinion", record_id=opinion.pk, action="recorded", at=timezone.now())
    client.force_login(superuser)
    page = client.get(f"/admin/hotlines/onlineopinion/{opinion.pk}/delete/")
    assert page.status_code == 200 and "无法删除" in page.content.decode() and "opinion" in page.content.decode()
    client.post(f"/admin/hotlines/onlineopinion/{opinion.pk}/delete/", {"post": "yes"})
    assert OnlineOpinion.objects.filter(pk=opinion.pk).exists()


def test_an_admin_delete_is_recorded_with_the_values(client, superuser):
    hotline = Hotline.objects.create(code="12319x", name="城建热线(测试)")
    client.force_login(superuser)
    assert client.post(f"/admin/hotlines/hotline/{hotline.pk}/delete/", {"post": "yes"}).status_code == 302
    entry = _latest(AuditAction.ADMIN_DELETE)
    assert entry.object_id == str(hotline.pk) and entry.data["values"]["code"] == "12319x"
