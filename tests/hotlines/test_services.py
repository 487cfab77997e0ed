"""The work-order services: idempotent receipt, deadlines by type, the lifecycle with redo and send-back, and the
permission/state discipline."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from hotlines import services
from hotlines.choices import OrderStatus
from hotlines.exceptions import OrderActionNotAllowed, OrderForbidden, OrderNotFound
from hotlines.models import OrderTimeLimit, WorkOrder, WorkOrderEvent
from tests.fixtures.small_city import INSIDE

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_receive_is_idempotent_per_hotline_and_number(cast, receive_order):
    first = receive_order(external_no="A-1")
    again = receive_order(external_no="A-1", content="changed")
    assert again.pk == first.pk and again.content == first.content
    other_line = receive_order(external_no="A-1", hotline="12319")
    assert other_line.pk != first.pk
    assert WorkOrder.objects.count() == 2
    assert list(first.events.values_list("action", flat=True)) == ["receive"]


def test_receive_names_bad_fields(cast):
    with pytest.raises(ValidationError) as exc:
        services.receive(actor=cast["operator"], hotline="99999", external_no="", content="", lng="x", lat=1)
    assert {"hotline", "external_no", "content", "lng"} <= set(exc.value.message_dict)


def test_receive_needs_the_permission(cast):
    with pytest.raises(OrderForbidden):
        services.receive(actor=cast["handler"], hotline="12345", external_no="X", content="c")


def test_point_gets_its_unit_grid(base_map, receive_order):
    order = receive_order(lng=INSIDE[0], lat=INSIDE[1])
    assert order.grid_code == "500120001001001" and order.street_code == "500120001"
    outside = receive_order(lng=100.0, lat=20.0)
    assert outside.grid_code == "" and outside.location is not None


def test_deadline_by_type_in_working_days(receive_order):
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
    consultation = receive_order(order_type="咨询", received_at=monday)
    complaint = receive_order(order_type="complaint", received_at=monday)
    urgent = receive_order(order_type="help", urgency="urgent", received_at=monday)
    assert consultation.order_type == "consultation"
    assert consultation.deadline.astimezone(TZ) == datetime(2026, 11, 26, 9, 0, tzinfo=TZ)  # 3 working days
    assert complaint.deadline.astimezone(TZ) == datetime(2026, 12, 14, 9, 0, tzinfo=TZ)  # 15 working days
    assert urgent.deadline.astimezone(TZ).date() == monday.date()  # the same day
    OrderTimeLimit.objects.filter(order_type="consultation").update(working_days=1)
    assert receive_order(order_type="consultation", received_at=monday).deadline.astimezone(TZ) == datetime(
        2026, 11, 24, 9, 0, tzinfo=TZ
    )


def test_unsatisfied_visit_reopens_as_redo_then_completes(cast, department, receive_order):
    operator, handler = cast["operator"], cast["handler"]
    order = receive_order()
    services.transfer(order.pk, operator, department=department.pk)
    services.sign(order.pk, handler)
    services.handle(order.pk, handler, opinion="已安排清运")
    services.reply(order.pk, handler, reply="已清运完毕")
    order = services.visit(order.pk, operator, satisfaction="不满意", opinion="仍有异味")
    assert order.status == OrderStatus.REDO and order.redo_count == 1 and order.satisfaction == "unsatisfied"
    services.sign(order.pk, handler)
    services.handle(order.pk, handler, opinion="再次清运并消杀")
    services.reply(order.pk, handler, reply="已清运并消杀")
    order = services.visit(order.pk, operator, satisfaction="basically_satisfied")
    assert order.status == OrderStatus.VISITED
    order = services.complete(order.pk, operator)
    assert order.status == OrderStatus.COMPLETED and order.completed_on_time is True and order.redo_count == 1
    actions = list(order.events.values_list("action", flat=True))
    assert actions == ["receive", "transfer", "sign", "handle", "reply", "visit"] * 1 + [
        "sign",
        "handle",
        "reply",
        "visit",
        "complete",
    ]
    event = order.events.get(action="transfer")
    assert event.role == "operator" and event.from_status == "received" and event.to_status == "transferred"


def test_answer_directly_completes_at_once(cast, receive_order):
    order = services.answer_directly(receive_order(order_type="consultation").pk, cast["operator"], reply="办理指南…")
    assert order.status == OrderStatus.COMPLETED and order.direct_answer and order.replied_at is not None


def test_department_actions_only_for_the_department_holding_the_order(cast, department, receive_order):
    order = receive_order()
    services.transfer(order.pk, cast["operator"], department=department.pk)
    with pytest.raises(OrderNotFound):  # another department does not even see it
        services.sign(order.pk, cast["other_handler"])
    with pytest.raises(OrderForbidden):  # the operator sees it but may not sign for a department
        services.sign(order.pk, cast["operator"])
    with pytest.raises(OrderActionNotAllowed):  # a reply needs the handling first
        services.reply(order.pk, cast["handler"], reply="x")
    with pytest.raises(ValidationError) as exc:
        services.transfer(receive_order().pk, cast["operator"], department=999999)
    assert "department" in exc.value.message_dict


def test_send_back_within_the_limit_then_retransfer(cast, department, other_department, receive_order):
    order = receive_order()
    start = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
    services.transfer(order.pk, cast["operator"], department=department.pk, at=start)
    with pytest.raises(ValidationError):
        services.send_back(order.pk, cast["handler"], reason="")
    late = start + timedelta(days=3)  # past 2 working days
    with pytest.raises(OrderActionNotAllowed):
        services.send_back(order.pk, cast["handler"], reason="不属于我单位", at=late)
    order = services.send_back(order.pk, cast["handler"], reason="不属于我单位", at=start + timedelta(hours=3))
    assert order.status == OrderStatus.SENT_BACK and order.department is None and order.send_back_count == 1
    order = services.transfer(order.pk, cast["operator"], department=other_department.pk)
    assert order.status == OrderStatus.TRANSFERRED


def test_extend_and_urge(cast, department, receive_order):
    from core.models import Notification

    order = receive_order()
    services.transfer(order.pk, cast["operator"], department=department.pk)
    before = WorkOrder.objects.get(pk=order.pk).deadline
    with pytest.raises(OrderForbidden):
        services.extend(order.pk, cast["handler"], days=2, reason="需协调")
    order = services.extend(order.pk, cast["operator"], days=2, reason="需协调")
    assert order.deadline > before and order.extension_count == 1
    with pytest.raises(OrderForbidden):
        services.urge(order.pk, cast["operator"])
    order = services.urge(order.pk, cast["supervisor"], opinion="尽快")
    assert order.is_urged and order.urge_count == 1
    assert WorkOrderEvent.objects.filter(order=order, action="urge").count() == 1
    # Notifications are queued on commit; in a test transaction they are not sent.
    assert Notification.objects.filter(recipient=cast["handler"]).count() == 0


def test_events_are_immutable(receive_order):
    event = receive_order().events.get()
    with pytest.raises(ValueError):
        event.save()


def test_department_requests_an_extension_the_centre_decides(cast, department, receive_order):
    handler, operator = cast["handler"], cast["operator"]
    order = receive_order()
    services.transfer(order.pk, operator, department=department.pk)
    services.sign(order.pk, handler)
    before = WorkOrder.objects.get(pk=order.pk).deadline
    with pytest.raises(ValidationError):
        services.request_extension(order.pk, handler, days=3, reason="")
    order = services.request_extension(order.pk, handler, days=3, reason="需协调燃气公司")
    assert order.extension_requested_days == 3
    with pytest.raises(OrderActionNotAllowed):  # one pending at a time
        services.request_extension(order.pk, handler, days=1, reason="再申请")
    assert {t.action for t in services.available_actions(order, operator)} >= {"extend", "deny_extension"}
    order = services.deny_extension(order.pk, operator, reason="可在时限内完成")
    assert order.extension_requested_days is None and order.deadline == before and order.extension_count == 0
    with pytest.raises(OrderActionNotAllowed):
        services.deny_extension(order.pk, operator, reason="x")
    services.request_extension(order.pk, handler, days=3, reason="需协调燃气公司")
    order = services.extend(order.pk, operator)  # approves the request: its days, no reason needed
    assert order.extension_count == 1 and order.deadline > before and order.extension_requested_days is None
    assert [e.action for e in order.events.all()][-4:] == [
        "request_extension",
        "deny_extension",
        "request_extension",
        "extend",
    ]
