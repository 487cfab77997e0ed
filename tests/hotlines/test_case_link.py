"""An order converted into a case is linked both ways and completes when the case closes (through the
cases.timeline.after_transition listener registered in HotlinesConfig.ready)."""

from __future__ import annotations

import pytest

from cases.choices import CaseSource, CaseStatus
from cases.services import perform
from hotlines import services
from hotlines.choices import OrderStatus
from hotlines.models import WorkOrder
from tests.fixtures.small_city import INSIDE

pytestmark = pytest.mark.django_db


def _convert(order, cast):
    return services.convert(order.pk, cast["operator"], class_code="06010", lng=INSIDE[0], lat=INSIDE[1])


def test_converted_order_completes_when_its_case_closes(
    cast, base_map, garbage_class, department, receive_order, django_capture_on_commit_callbacks
):
    order = receive_order(hotline="12319", address="东关路12号")
    order = _convert(order, cast)
    case = order.case
    assert order.status == OrderStatus.CONVERTED
    assert case.source == CaseSource.HOTLINE_12319 and case.status == CaseStatus.REPORTED
    assert list(case.hotline_orders.all()) == [order]  # linked both ways
    assert case.events.get(action="report").data["hotline_ref"] == str(order)

    steps = [
        ("send_verify", "operator", {"collector": cast["collector"].pk}),
        ("verify", "collector", {"verified": True}),
        ("accept", "operator", {}),
        ("register", "leader", {"condition": garbage_class["condition"].pk}),
        ("dispatch", "dispatcher", {"department": department.pk}),
        ("sign", "handler", {}),
        ("dispose", "handler", {"opinion": "已清运"}),
        ("send_check", "operator", {"collector": cast["collector"].pk}),
        ("check", "collector", {"passed": True}),
    ]
    for action, who, params in steps:
        with django_capture_on_commit_callbacks(execute=True):
            perform(case.pk, action, cast[who], **params)
        assert WorkOrder.objects.get(pk=order.pk).status == OrderStatus.CONVERTED
    with django_capture_on_commit_callbacks(execute=True):
        perform(case.pk, "close", cast["leader"])
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED and order.completed_at is not None
    assert order.replied_at is not None and order.reply_text
    closing = order.events.get(action="case_closed")
    assert closing.actor is None and closing.role == "system" and closing.data["case"] == case.pk


def test_a_rejected_case_returns_the_order_to_the_operators(
    cast, base_map, garbage_class, receive_order, django_capture_on_commit_callbacks
):
    order = _convert(receive_order(), cast)
    with django_capture_on_commit_callbacks(execute=True):
        perform(order.case_id, "reject", cast["operator"], opinion="非城管职责")
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED and order.case is None
    # It can be converted again (a new case, not the rejected one).
    again = _convert(order, cast)
    assert again.status == OrderStatus.CONVERTED


def test_convert_names_bad_class_and_point(cast, base_map, garbage_class, receive_order):
    from django.core.exceptions import ValidationError

    order = receive_order()
    with pytest.raises(ValidationError) as exc:
        services.convert(order.pk, cast["operator"], class_code="nope")
    assert {"class_code", "lng", "lat"} <= set(exc.value.message_dict)
    assert WorkOrder.objects.get(pk=order.pk).status == OrderStatus.RECEIVED


def test_a_merged_case_hands_the_order_to_the_original(
    cast, base_map, garbage_class, receive_order, report, django_capture_on_commit_callbacks
):
    original = report()  # a collector's report of the same problem
    order = _convert(receive_order(), cast)
    with django_capture_on_commit_callbacks(execute=True):
        perform(order.case_id, "merge", cast["operator"], original=original.pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONVERTED and order.case_id == original.pk
    assert order.events.filter(action="case_merged").count() == 1
    assert list(original.hotline_orders.all()) == [order]
