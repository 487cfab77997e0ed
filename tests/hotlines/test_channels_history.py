"""Every change to a record of the other channels writes one immutable history row; a repeat writes none; the record
pages show the history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hotlines.channels import services
from hotlines.models import ChannelEvent
from tests.fixtures.small_city import INSIDE
from tests.hotlines.test_channels_console import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _actions(record) -> list[str]:
    return [event.action for event in services.history(record)]


def test_each_change_is_one_history_row(cast, base_map, garbage_class, department):
    operator = cast["operator"]
    opinion_fields = {
        "channel": "mailbox",
        "external_no": "XX-1",
        "title": "东关路垃圾",
        "content": "垃圾三天无人清运",
        "submitted_at": timezone.now() - timedelta(hours=2),
        "class_code": "06010",
        "lng": INSIDE[0],
        "lat": INSIDE[1],
    }
    opinion, _created = services.record_opinion(operator, **opinion_fields)
    services.record_opinion(operator, **opinion_fields)  # a repeat: nothing new
    services.reply_opinion(operator, opinion.pk, reply="已安排清运")
    services.reply_opinion(operator, opinion.pk, reply="已安排清运")  # the same reply: nothing new
    assert _actions(opinion) == ["recorded", "case_raised", "replied"]
    first = services.history(opinion)[0]
    assert (first.actor, first.role, first.record_kind) == (operator, "operator", "opinion")

    inspection, _created = services.record_inspection(
        operator, inspector="王局长", level="bureau_leader", date=timezone.localdate(), route="东关路—南门路"
    )
    problem = {"description": "占道经营", "class_code": "06010", "lng": INSIDE[0], "lat": INSIDE[1]}
    services.add_problem(operator, inspection.pk, **problem)
    services.add_problem(operator, inspection.pk, **problem)
    services.record_rectification(
        operator, inspection.pk, title="联合整治", date=timezone.localdate(), departments=[department.pk]
    )
    assert _actions(inspection) == ["recorded", "problem_added", "rectification_recorded"]

    report, _created = services.record_chat_report(
        operator,
        group="千里眼群",
        reporter_handle="热心市民",
        message_at=timezone.now() - timedelta(minutes=30),
        class_code="06010",
        lng=INSIDE[0],
        lat=INSIDE[1],
    )
    services.attach_screenshot(operator, report.pk, SimpleUploadedFile("s.png", png_bytes()))
    assert _actions(report) == ["recorded", "screenshot_attached"]

    event = ChannelEvent.objects.first()
    event.action = "edited"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_a_bad_screenshot_writes_no_history(cast, base_map, garbage_class):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.record_chat_report(
            cast["operator"],
            group="千里眼群",
            reporter_handle="路人",
            message_at=timezone.now() - timedelta(minutes=5),
            class_code="06010",
            lng=INSIDE[0],
            lat=INSIDE[1],
            screenshot=SimpleUploadedFile("fake.png", b"not an image"),
        )
    assert not ChannelEvent.objects.exists()


def test_the_record_page_shows_its_history(client, cast, base_map, garbage_class):
    opinion, _created = services.record_opinion(
        cast["operator"],
        channel="mailbox",
        external_no="XX-2",
        title="井盖缺失",
        content="南门路",
        class_code="06010",
        lng=INSIDE[0],
        lat=INSIDE[1],
    )
    client.force_login(cast["operator"])
    page = client.get(reverse("hotlines:opinion_detail", args=[opinion.pk])).content.decode()
    assert 'data-action="recorded"' in page and 'data-action="case_raised"' in page
