"""Chat-group screenshots and camera snapshots are served only through core.files (DEBUG off): to whoever may read
the channel's records, or (a snapshot) see the case it raised; never from /media/."""

from __future__ import annotations

import io

import pytest
from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from hotlines.models import Camera, ChatGroupReport, VideoCase
from tests.fixtures.small_city import INSIDE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production(settings, tmp_path):
    settings.DEBUG = False
    settings.MEDIA_ROOT = tmp_path / "media"


def _png() -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 200)).save(buffer, format="PNG")
    return ContentFile(buffer.getvalue())


@pytest.fixture
def screenshot(db):
    report = ChatGroupReport(group="千里眼群", reporter_handle="老王", message_at=timezone.now(), content="垃圾")
    report.screenshot.save("shot.png", _png(), save=True)
    return report


@pytest.fixture
def snapshot(cast, base_map, garbage_class, department):
    from cases.models import Case
    from cases.services import report_case

    case, _created = report_case(
        reporter=cast["collector"], class_code="06010", lng=INSIDE[0], lat=INSIDE[1], description="路口垃圾"
    )
    Case.objects.filter(pk=case.pk).update(department=department)
    camera = Camera.objects.create(code="CAM-01", name="东关路口", location=Point(*INSIDE, srid=4326))
    video = VideoCase(camera=camera, case=case, captured_at=timezone.now())
    video.snapshot.save("snap.png", _png(), save=True)
    return video


def test_screenshot_to_the_channel_readers_only(client, cast, screenshot):
    url = screenshot.screenshot.url
    assert url.startswith("/files/chat_groups/")
    client.force_login(cast["operator"])
    assert client.get(url).status_code == 200
    client.force_login(cast["handler"])
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url, HTTP_ACCEPT="application/json").status_code == 401
    assert client.get(f"/media/{screenshot.screenshot.name}").status_code == 404


def test_the_api_hands_out_the_checked_url(api_as, cast, screenshot):
    client = api_as(cast["operator"])
    url = client.get(f"/api/v1/channels/chat-reports/{screenshot.pk}/").json()["screenshot"]
    assert "/files/chat_groups/" in url
    assert client.get(url).status_code == 200


def test_snapshot_to_camera_readers_and_the_case_department(client, cast, snapshot):
    url = snapshot.snapshot.url
    assert url.startswith("/files/video_snapshots/")
    for who, status in [("operator", 200), ("handler", 200), ("other_handler", 404), ("finance", 404)]:
        client.force_login(cast[who])
        assert client.get(url).status_code == status, who
