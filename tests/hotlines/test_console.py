"""Console pages: list with filters scoped by role, entry form, detail with action forms, masking."""

from __future__ import annotations

import pytest

from hotlines import services
from hotlines.models import WorkOrder

pytestmark = pytest.mark.django_db


def test_navigation_and_list_scoping(client, cast, department, other_department, receive_order):
    mine, theirs = receive_order(caller_phone="13812341234"), receive_order()
    services.transfer(mine.pk, cast["operator"], department=department.pk)
    services.transfer(theirs.pk, cast["operator"], department=other_department.pk)
    client.force_login(cast["handler"])
    response = client.get("/hotlines/")
    assert response.status_code == 200
    assert [row["order"].pk for row in response.context["rows"]] == [mine.pk]
    assert response.context["rows"][0]["phone"] == "138****1234"
    assert b"13812341234" not in response.content
    assert client.get(f"/hotlines/{theirs.pk}/").status_code == 404
    assert client.get(f"/hotlines/{mine.pk}/").status_code == 200
    assert client.get("/hotlines/new/").status_code == 403
    client.force_login(cast["finance"])
    assert client.get("/hotlines/").status_code == 403


def test_filters_and_todo_queue(client, cast, department, receive_order):
    a, b = receive_order(order_type="consultation"), receive_order(order_type="complaint")
    services.transfer(b.pk, cast["operator"], department=department.pk)
    client.force_login(cast["operator"])
    listed = client.get("/hotlines/", {"order_type": "consultation"}).context["rows"]
    assert [r["order"].pk for r in listed] == [a.pk]
    todo = client.get("/hotlines/", {"queue": "todo"}).context["rows"]
    assert [r["order"].pk for r in todo] == [a.pk]  # b waits for the department
    assert client.get("/hotlines/").context["rows"][0]["phone"] == b.caller_phone


def test_entry_form_and_actions(client, cast, department):
    client.force_login(cast["operator"])
    page = client.get("/hotlines/new/")
    number = page.context["form"].initial["external_no"]
    data = {
        "hotline": "12319",
        "external_no": number,
        "caller_name": "赵先生",
        "caller_phone": "13700001111",
        "order_type": "complaint",
        "urgency": "normal",
        "content": "井盖缺失",
        "address": "南门路3号",
    }
    response = client.post("/hotlines/new/", data)
    order = WorkOrder.objects.get(external_no=number)
    assert response.status_code == 302 and response.url == f"/hotlines/{order.pk}/"
    assert client.post("/hotlines/new/", data).url == f"/hotlines/{order.pk}/"  # a double submit: same order
    assert client.post("/hotlines/new/", {**data, "external_no": "Z9", "content": ""}).status_code == 400

    detail = client.get(f"/hotlines/{order.pk}/")
    assert {f.action for f in detail.context["forms"]} == {"answer_directly", "transfer", "convert"}
    bad = client.post(f"/hotlines/{order.pk}/actions/transfer/", {"transfer-department": ""})
    assert bad.status_code == 400
    ok = client.post(f"/hotlines/{order.pk}/actions/transfer/", {"transfer-department": department.pk})
    assert ok.status_code == 302
    order.refresh_from_db()
    assert order.status == "transferred" and order.department == department
    again = client.post(f"/hotlines/{order.pk}/actions/convert/", {"convert-class_code": "06010"})
    assert again.status_code == 409
    client.force_login(cast["handler"])
    assert client.post(f"/hotlines/{order.pk}/actions/sign/").status_code == 302
    assert WorkOrder.objects.get(pk=order.pk).status == "handling"


def test_export_masks_phones_for_departments(client, cast, department, receive_order):
    import io

    from openpyxl import load_workbook

    order = receive_order(caller_phone="13812341234")
    services.transfer(order.pk, cast["operator"], department=department.pk)
    receive_order(caller_phone="13900000000")  # not the department's

    def rows(user, **query):
        client.force_login(user)
        response = client.get("/hotlines/export/", query)
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]

    handler_rows = rows(cast["handler"])
    assert [(r[1], r[4]) for r in handler_rows] == [(order.external_no, "138****1234")]
    operator_rows = rows(cast["operator"], status="transferred")
    assert [(r[1], r[4]) for r in operator_rows] == [(order.external_no, "13812341234")]
