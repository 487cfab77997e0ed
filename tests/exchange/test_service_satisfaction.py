"""服务对象满意度 covers citizens' reports, web opinions and hotline orders alike, from answers stored at the cases
level (return visits) and on the orders; a reopened case counts once, with its latest answer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from cases.choices import CaseSource
from cases.services.transitions import perform
from cases.services.visits import revisit_by_reporter
from evaluation.metrics import SYSTEM_METRICS, system_metric
from evaluation.satisfaction import service_satisfaction
from tests.exchange.conftest import TO_CLOSED, public_report, walk

pytestmark = pytest.mark.django_db


def test_satisfaction_over_every_channel(city, report, department, receive_order):
    cast = city["cast"]
    condition = city["class"]["condition"].pk

    def closed(case):
        return walk(case, cast, *TO_CLOSED, department=department, condition=condition)

    happy = closed(public_report().case)
    revisit_by_reporter(happy.pk, "satisfied")
    reopened = closed(public_report().case)
    revisit_by_reporter(reopened.pk, "unsatisfied")  # reopened …
    reopened = walk(reopened, cast, "send_check", "check", "close")
    revisit_by_reporter(reopened.pk, "basically_satisfied")  # … and satisfied after the rework: counts once
    closed(public_report().case)  # closed, not answered yet: not counted
    opinion = closed(report(source=CaseSource.ONLINE, reporter=cast["operator"]))
    perform(opinion.pk, "revisit", cast["operator"], satisfaction="unsatisfied")
    closed(report())  # a collector's own report: nobody to ask
    order = receive_order()
    from hotlines.models import WorkOrder

    WorkOrder.objects.filter(pk=order.pk).update(visited_at=timezone.now(), satisfaction="satisfied")
    today = timezone.localdate()
    figures = service_satisfaction(today, today)
    assert figures["public"] == {"visited": 2, "satisfied": 2, "satisfaction_rate": Decimal("100.00")}
    assert figures["online"] == {"visited": 1, "satisfied": 0, "satisfaction_rate": Decimal("0.00")}
    assert figures["hotline"] == {"visited": 1, "satisfied": 1, "satisfaction_rate": Decimal("100.00")}
    assert figures["total"] == {"visited": 4, "satisfied": 3, "satisfaction_rate": Decimal("75.00")}
    assert "service_satisfaction_rate" in SYSTEM_METRICS
    assert system_metric("service_satisfaction_rate", today, today) == Decimal("75.00")
    yesterday = today - timezone.timedelta(days=1)
    assert service_satisfaction(yesterday, yesterday)["total"]["satisfaction_rate"] is None
