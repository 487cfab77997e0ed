"""The hotline API: the 12345 platform's idempotent push and incremental pull, role scoping (a department sees only
its orders), phone masking, and 403/404/409 on actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hotlines import services
from hotlines.models import WorkOrder

pytestmark = pytest.mark.django_db
ORDERS = "/api/v1/hotline/orders/"

PUSH = {
    "hotline": "12345",
    "external_no": "2026112900123",
    "received_at": "2026-11-23T09:30:00+08:00",
    "caller_name": "李女士",
    "caller_phone": "13987654321",
    "order_type": "投诉",
    "content": "夜间施工噪音扰民",
    "address": "东关路8号",
}


def test_push_is_idempotent(api_as, platform):
    client = api_as(platform)
    first = client.post(ORDERS, PUSH, format="json")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["order_type"] == "complaint" and body["status"] == "received" and body["hotline"] == "12345"
    assert body["caller_phone"] == "13987654321"  # the platform account may see the number it sent
    again = client.post(ORDERS, {**PUSH, "content": "重复推送"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert WorkOrder.objects.count() == 1


def test_push_names_bad_fields_and_needs_the_permission(api_as, platform, cast):
    response = api_as(platform).post(ORDERS, {"hotline": "12345", "order_type": "x"}, format="json")
    assert response.status_code == 400
    assert {"external_no", "content", "order_type"} <= set(response.json())
    assert api_as(cast["handler"]).post(ORDERS, PUSH, format="json").status_code == 403


def test_pull_by_updated_since_returns_replies_and_satisfaction(api_as, platform, cast, department, receive_order):
    order = receive_order()
    services.transfer(order.pk, cast["operator"], department=department.pk)
    services.sign(order.pk, cast["handler"])
    services.handle(order.pk, cast["handler"], opinion="已处理")
    services.reply(order.pk, cast["handler"], reply="已清运完毕")
    services.visit(order.pk, cast["operator"], satisfaction="satisfied")
    untouched = receive_order()
    WorkOrder.objects.filter(pk=untouched.pk).update(updated_at=timezone.now() - timedelta(days=2))
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    response = api_as(platform).get(ORDERS, {"updated_since": since})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [order.pk]
    assert rows[0]["reply_text"] == "已清运完毕" and rows[0]["satisfaction"] == "satisfied"
    assert api_as(platform).get(ORDERS, {"updated_since": "yesterday"}).status_code == 400


def test_department_sees_only_its_orders(api_as, cast, department, other_department, receive_order):
    mine, theirs, untransferred = receive_order(), receive_order(), receive_order()
    services.transfer(mine.pk, cast["operator"], department=department.pk)
    services.transfer(theirs.pk, cast["operator"], department=other_department.pk)
    client = api_as(cast["handler"])
    listed = client.get(ORDERS).json()["results"]
    assert [r["id"] for r in listed] == [mine.pk]
    detail = client.get(f"{ORDERS}{mine.pk}/")
    assert detail.status_code == 200
    assert [e["action"] for e in detail.json()["events"]] == ["receive", "transfer"]
    assert {a["action"] for a in detail.json()["available_actions"]} == {"sign", "send_back", "request_extension"}
    assert client.get(f"{ORDERS}{theirs.pk}/").status_code == 404
    assert client.get(f"{ORDERS}{untransferred.pk}/").status_code == 404
    assert client.post(f"{ORDERS}{theirs.pk}/sign/").status_code == 404
    # The operator sees all three.
    assert len(api_as(cast["operator"]).get(ORDERS).json()["results"]) == 3


def test_phone_is_masked_for_roles_without_the_permission(api_as, cast, department, receive_order):
    order = receive_order(caller_phone="13812341234")
    services.transfer(order.pk, cast["operator"], department=department.pk)
    assert api_as(cast["handler"]).get(ORDERS).json()["results"][0]["caller_phone"] == "138****1234"
    assert api_as(cast["supervisor"]).get(f"{ORDERS}{order.pk}/").json()["caller_phone"] == "138****1234"
    assert api_as(cast["operator"]).get(ORDERS).json()["results"][0]["caller_phone"] == "13812341234"


def test_actions_answer_403_404_409(api_as, cast, department, receive_order):
    order = receive_order()
    url = f"{ORDERS}{order.pk}"
    assert api_as(cast["supervisor"]).post(f"{url}/transfer/", {"department": department.pk}).status_code == 403
    assert api_as(cast["operator"]).post(f"{ORDERS}999999/transfer/", {"department": department.pk}).status_code == 404
    bad = api_as(cast["operator"]).post(f"{url}/transfer/", {"department": 999999}, format="json")
    assert bad.status_code == 400 and "department" in bad.json()
    ok = api_as(cast["operator"]).post(f"{url}/transfer/", {"department": department.pk}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "transferred"
    conflict = api_as(cast["operator"]).post(f"{url}/answer-directly/", {"reply": "x"}, format="json")
    assert conflict.status_code == 409 and conflict.json()["status"] == "transferred"
    signed = api_as(cast["handler"]).post(f"{url}/sign/", format="json")
    assert signed.status_code == 200 and signed.json()["status"] == "handling"


def test_schema_documents_the_hotline_endpoints(api_as, cast):
    response = api_as(cast["operator"]).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/hotline/orders/" in paths and "/api/v1/hotline/orders/{id}/send-back/" in paths


def test_roles_without_hotline_access_are_refused(api_as, cast, receive_order):
    receive_order()
    assert api_as(cast["finance"]).get(ORDERS).status_code == 403
    assert api_as(cast["collector"]).post(ORDERS, PUSH, format="json").status_code == 403


def test_the_api_exports_what_the_list_shows_masked_and_audited(api_as, cast, department, receive_order):
    import io

    from openpyxl import load_workbook

    from core.models import AuditEntry
    from hotlines import services

    order = receive_order(caller_phone="13812341234", content='=HYPERLINK("http://x")')
    services.transfer(order.pk, cast["operator"], department=department.pk)
    receive_order(caller_phone="13900000000")  # not the department's

    response = api_as(cast["handler"]).get("/api/v1/hotline/orders/export/")
    assert response.status_code == 200 and response["X-Row-Count"] == "1"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [(r[1].value, r[4].value) for r in rows] == [(order.external_no, "138****1234")]
    assert rows[0][6].data_type == "s"  # formula-like content stays text
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.data["export"] == "hotline_orders" and entry.data["rows"] == 1

    both = api_as(cast["operator"]).get("/api/v1/hotline/orders/export/", {"status": "transferred"})
    assert both["X-Row-Count"] == "1"
    assert api_as(cast["finance"]).get("/api/v1/hotline/orders/export/").status_code == 403
