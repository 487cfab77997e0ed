"""The other channels raise cases with their own source and keep them; the indicators contract."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import Point

from cases.choices import CaseSource
from hotlines import services
from hotlines.channels import cases as channel_cases
from hotlines.indicators import channel_indicators, hotline_indicators
from hotlines.models import Camera, ChatGroupReport, Inspection, InspectionProblem, OnlineOpinion
from tests.fixtures.small_city import INSIDE

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


def test_channels_raise_cases_once(cast, base_map, garbage_class):
    operator = cast["operator"]
    inspection = Inspection.objects.create(inspector="王区长", level="district_leader", date=DAY.date(), route="东关路")
    problem = InspectionProblem.objects.create(
        inspection=inspection, description="垃圾桶满溢", address="东关路", location=Point(*INSIDE, srid=4326)
    )
    case = channel_cases.problem_to_case(problem, operator, class_code="06010", at=DAY)
    assert case.source == CaseSource.INSPECTION and problem.case == case
    assert channel_cases.problem_to_case(problem, operator, class_code="06010", at=DAY) == case

    chat = ChatGroupReport.objects.create(
        group="千里眼群",
        reporter_handle="热心市民",
        message_at=DAY,
        content="路边垃圾",
        location=Point(*INSIDE, srid=4326),
    )
    assert channel_cases.chat_report_to_case(chat, operator, class_code="06010", at=DAY).source == CaseSource.CHAT_GROUP

    opinion = OnlineOpinion.objects.create(
        channel="mailbox", external_no="XX1", title="垃圾", content="无人清运", submitted_at=DAY
    )
    opinion_case = channel_cases.opinion_to_case(
        opinion, operator, class_code="06010", lng=INSIDE[0], lat=INSIDE[1], at=DAY
    )
    assert opinion_case.source == CaseSource.ONLINE

    camera = Camera.objects.create(code="CAM01", name="东关路口", location=Point(*INSIDE, srid=4326))
    video = channel_cases.video_case(camera, operator, class_code="06010", captured_at=DAY)
    assert video.case.source == CaseSource.VIDEO and video.camera == camera
    assert channel_cases.video_case(camera, operator, class_code="06010", captured_at=DAY).pk == video.pk

    figures = channel_indicators(date(2026, 11, 1), date(2026, 11, 30))
    for source in (CaseSource.INSPECTION, CaseSource.CHAT_GROUP, CaseSource.ONLINE, CaseSource.VIDEO):
        assert figures[source] == {"reported": 1, "registered": 0, "closed": 0}
    assert figures[CaseSource.COLLECTOR]["reported"] == 0


def test_hotline_indicators(cast, department, other_department, receive_order):
    operator, handler = cast["operator"], cast["handler"]

    def through_visit(satisfaction, *, dept=department, at=DAY):
        order = receive_order(received_at=at)
        services.transfer(order.pk, operator, department=dept.pk, at=at)
        services.sign(order.pk, handler if dept == department else cast["other_handler"], at=at)
        who = handler if dept == department else cast["other_handler"]
        services.handle(order.pk, who, opinion="ok", at=at)
        services.reply(order.pk, who, reply="ok", at=at)
        return services.visit(order.pk, operator, satisfaction=satisfaction, at=at)

    a = through_visit("satisfied")
    services.complete(a.pk, operator, at=DAY)
    b = through_visit("basically_satisfied")
    services.complete(b.pk, operator, at=datetime(2027, 1, 30, 9, 0, tzinfo=TZ))  # late
    through_visit("unsatisfied")  # redo
    services.answer_directly(receive_order(received_at=DAY).pk, operator, reply="已解答", at=DAY)
    through_visit("satisfied", dept=other_department)
    receive_order(received_at=datetime(2026, 10, 1, 9, 0, tzinfo=TZ))  # outside the period

    figures = hotline_indicators(date(2026, 11, 1), date(2026, 11, 30))
    assert figures["orders"] == 5 and figures["completed"] == 3 and figures["completed_on_time"] == 2
    assert figures["ontime_completion_rate"] == Decimal("66.67")
    assert figures["replied"] == 5 and figures["reply_rate"] == Decimal("100.00")
    assert figures["visited"] == 4 and figures["satisfied"] == 3 and figures["satisfaction_rate"] == Decimal("75.00")
    assert figures["direct_answered"] == 1 and figures["direct_answer_rate"] == Decimal("20.00")
    assert figures["redos"] == 1 and figures["send_backs"] == 0
    per_department = hotline_indicators(date(2026, 11, 1), date(2026, 11, 30), department_id=department.pk)
    assert per_department["orders"] == 3
    empty = hotline_indicators(date(2026, 11, 1), date(2026, 11, 30), hotline="12319")
    assert empty["orders"] == 0 and empty["reply_rate"] is None and empty["satisfaction_rate"] is None
