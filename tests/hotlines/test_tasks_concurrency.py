"""The overdue notice task, and two pushes of the same order racing each other."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.models import Notification
from hotlines import services
from hotlines.models import WorkOrder, WorkOrderEvent
from hotlines.tasks import notify_overdue


@pytest.mark.django_db
def test_overdue_orders_notify_their_department_once(cast, department, receive_order):
    late, on_time = receive_order(), receive_order()
    for order in (late, on_time):
        services.transfer(order.pk, cast["operator"], department=department.pk)
    WorkOrder.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(hours=1))
    assert notify_overdue() == 1
    assert notify_overdue() == 1  # built again, but the dedupe key keeps it single
    notes = Notification.objects.filter(recipient=cast["handler"], kind="workorder_overdue")
    assert notes.count() == 1 and notes.get().url == f"/hotlines/{late.pk}/"


@pytest.mark.django_db(transaction=True)
def test_two_pushes_of_one_order_at_once(cast, platform):
    barrier = threading.Barrier(2)
    results: list[tuple[int, bool]] = []

    def push():
        try:
            barrier.wait()
            order, created = services.receive(actor=platform, hotline="12345", external_no="RACE-1", content="噪音扰民")
            results.append((order.pk, created))
        finally:
            connection.close()

    services.ensure_reference_data()  # a transactional test's flush removed the hotlines made by migrate
    threads = [threading.Thread(target=push) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({pk for pk, _ in results}) == 1 and sorted(c for _, c in results) == [False, True]
    assert WorkOrder.objects.count() == 1 and WorkOrderEvent.objects.count() == 1
