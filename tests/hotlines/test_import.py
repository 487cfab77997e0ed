"""Excel import: bad rows reported by number with nothing written, --skip-invalid, idempotent re-import, the
management command and the console upload page."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook

from hotlines.imports import import_orders
from hotlines.models import WorkOrder

pytestmark = pytest.mark.django_db
HEADER = [
    "热线",
    "工单编号",
    "来电时间",
    "来电人",
    "联系电话",
    "诉求类型",
    "诉求内容",
    "地址",
    "经度",
    "纬度",
    "紧急程度",
]
GOOD = [
    [
        "12345",
        "X001",
        datetime(2026, 11, 23, 9, 0),
        "张三",
        "13800001111",
        "投诉",
        "占道经营",
        "东关路1号",
        None,
        None,
        "一般",
    ],
    ["12319", "X002", datetime(2026, 11, 23, 10, 0), "李四", "13800002222", "咨询", "垃圾清运时间", "", None, None, ""],
]
BAD = [
    ["12345", "", datetime(2026, 11, 23, 11, 0), "王五", "13800003333", "投诉", "无编号", "", None, None, ""],  # row 4
    ["12345", "X004", "not a date", "", "", "吐槽", "", "", 500, 29.6, ""],  # row 5
    ["12345", "X001", datetime(2026, 11, 23, 9, 0), "", "", "投诉", "重复", "", None, None, ""],  # row 6
]


def workbook(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "orders.xlsx"
    return buffer


def test_bad_rows_are_reported_and_nothing_is_written(cast):
    report = import_orders(workbook(GOOD + BAD), cast["operator"])
    problems = {(e.row, e.field) for e in report.errors}
    assert problems == {
        (4, "external_no"),
        (5, "received_at"),
        (5, "order_type"),
        (5, "content"),
        (5, "lng"),
        (6, "external_no"),
    }
    assert not report.written and WorkOrder.objects.count() == 0


def test_skip_invalid_writes_the_good_rows_and_reimport_adds_nothing(cast):
    report = import_orders(workbook(GOOD + BAD), cast["operator"], skip_invalid=True)
    assert report.written and report.created == 2 and report.skipped == 3
    order = WorkOrder.objects.get(hotline__code="12319", external_no="X002")
    assert order.order_type == "consultation" and timezone.localtime(order.received_at).hour == 10
    again = import_orders(workbook(GOOD), cast["operator"])
    assert again.ok and again.created == 0 and again.existing == 2
    assert WorkOrder.objects.count() == 2


def test_management_command(cast, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook(GOOD + BAD).getvalue())
    with pytest.raises(CommandError):
        call_command("import_hotline_orders", str(bad), "--user", "operator")
    assert WorkOrder.objects.count() == 0
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook(GOOD).getvalue())
    out = io.StringIO()
    call_command("import_hotline_orders", str(good), "--user", "operator", stdout=out)
    call_command("import_hotline_orders", str(good), "--user", "operator", stdout=out)
    assert WorkOrder.objects.count() == 2


def test_upload_page(client, cast):
    client.force_login(cast["operator"])
    assert client.get("/hotlines/import/").status_code == 200
    response = client.post("/hotlines/import/", {"file": workbook(GOOD + BAD)})
    assert response.status_code == 400 and response.context["report"].errors
    response = client.post("/hotlines/import/", {"file": workbook(GOOD)})
    assert response.status_code == 200 and response.context["report"].created == 2
    client.force_login(cast["handler"])
    assert client.get("/hotlines/import/").status_code == 403


def test_not_a_workbook(cast):
    report = import_orders(io.BytesIO(b"plain text"), cast["operator"])
    assert [(e.row, e.field) for e in report.errors] == [(0, "file")]
