"""Console pages of the other intake channels: each entry form records its item and raises exactly one case with the
channel's source even when submitted twice; an opinion's reply; inspection problems → cases and joint
rectifications; screenshots checked by content (a bad one writes nothing); cameras on a map with "raise a case
from this camera"; permissions (a department handler gets 403)."""

from __future__ import annotations

import io
import os
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.choices import CaseSource
from cases.models import Case
from hotlines.models import (
    Camera,
    ChatGroupReport,
    Inspection,
    InspectionProblem,
    OnlineOpinion,
    RectificationAction,
    VideoCase,
)
from tests.fixtures.small_city import INSIDE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _screenshot(page, name: str) -> None:
    folder = os.environ.get("CONSOLE_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def operator_client(client, cast, base_map, garbage_class):
    client.force_login(cast["operator"])
    return client


def _opinion_form(**overrides) -> dict:
    return {
        "channel": "mailbox",
        "external_no": "XX20261123001",
        "title": "东关路垃圾",
        "content": "垃圾三天无人清运",
        "author": "李女士",
        "submitted_at": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"),
        "class_code": "06010",
        "address": "东关路12号",
        "lng": INSIDE[0],
        "lat": INSIDE[1],
        **overrides,
    }


def test_opinion_entry_raises_one_case_even_when_submitted_twice(operator_client):
    url = reverse("hotlines:opinion_new")
    assert operator_client.get(url).status_code == 200
    first = operator_client.post(url, _opinion_form())
    second = operator_client.post(url, _opinion_form())
    opinion = OnlineOpinion.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("hotlines:opinion_detail", args=[opinion.pk])
    assert Case.objects.count() == 1
    case = opinion.case
    assert case.source == CaseSource.ONLINE and case.address == "东关路12号"

    page = operator_client.get(first["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("cases:detail", args=[case.pk]) in body and case.case_no in body
    assert f'data-status="{case.status}"' in body

    listing = operator_client.get(reverse("hotlines:opinion_list"), {"channel": "mailbox", "q": "东关"})
    assert f'data-record="{opinion.pk}"' in listing.content.decode()
    other = operator_client.get(reverse("hotlines:opinion_list"), {"channel": "web_message"})
    assert f'data-record="{opinion.pk}"' not in other.content.decode()


def test_opinion_entry_refuses_bad_input_and_writes_nothing(operator_client):
    response = operator_client.post(reverse("hotlines:opinion_new"), _opinion_form(class_code="", lng="x"))
    assert response.status_code == 400
    assert {"class_code", "lng"} <= set(response.context["form"].errors)
    # A point outside every grid passes the form and is refused by the case intake, naming the field.
    outside = operator_client.post(reverse("hotlines:opinion_new"), _opinion_form(lng=100.0, lat=20.0))
    assert outside.status_code == 400
    assert set(outside.context["form"].errors) & {"lng", "lat"}
    assert not OnlineOpinion.objects.exists() and not Case.objects.exists()


def test_reply_of_an_online_opinion(operator_client, cast, client):
    operator_client.post(reverse("hotlines:opinion_new"), _opinion_form())
    opinion = OnlineOpinion.objects.get()
    url = reverse("hotlines:opinion_reply", args=[opinion.pk])
    assert operator_client.post(url, {"reply": ""}).status_code == 400
    before = timezone.now()
    response = operator_client.post(url, {"reply": "已安排环卫所清运，感谢您的反映。"})
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.reply == "已安排环卫所清运，感谢您的反映。" and opinion.replied_at >= before
    first_time = opinion.replied_at
    operator_client.post(url, {"reply": "已安排环卫所清运，感谢您的反映。"})  # the same reply again: unchanged
    opinion.refresh_from_db()
    assert opinion.replied_at == first_time
    page = operator_client.get(reverse("hotlines:opinion_detail", args=[opinion.pk])).content.decode()
    assert 'id="replied-at"' in page

    # A supervisor may read opinions but not reply.
    client.force_login(cast["supervisor"])
    assert client.get(reverse("hotlines:opinion_detail", args=[opinion.pk])).status_code == 200
    assert 'id="reply-form"' not in client.get(reverse("hotlines:opinion_detail", args=[opinion.pk])).content.decode()
    assert client.post(url, {"reply": "x"}).status_code == 403


def _inspection_form(**overrides) -> dict:
    return {
        "inspector": "王区长",
        "level": "district_leader",
        "date": timezone.localdate().isoformat(),
        "route": "东关路—南门路",
        "note": "",
        "problem_description": "垃圾桶满溢",
        "problem_class_code": "06010",
        "problem_address": "东关路8号",
        "problem_lng": INSIDE[0],
        "problem_lat": INSIDE[1],
        **overrides,
    }


def test_inspection_problems_become_cases_once(operator_client, department, other_department):
    url = reverse("hotlines:inspection_new")
    first = operator_client.post(url, _inspection_form())
    second = operator_client.post(url, _inspection_form())
    inspection = Inspection.objects.get()
    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("hotlines:inspection_detail", args=[inspection.pk])
    problem = InspectionProblem.objects.get()
    assert problem.case.source == CaseSource.INSPECTION and Case.objects.count() == 1

    add = reverse("hotlines:inspection_problem", args=[inspection.pk])
    data = {
        "problem-description": "人行道破损",
        "problem-class_code": "06010",
        "problem-address": "南门路3号",
        "problem-lng": INSIDE[0],
        "problem-lat": INSIDE[1],
    }
    assert operator_client.post(add, data).status_code == 302
    assert operator_client.post(add, data).status_code == 302  # a double click
    assert InspectionProblem.objects.count() == 2 and Case.objects.count() == 2
    assert set(Case.objects.values_list("source", flat=True)) == {CaseSource.INSPECTION}
    assert operator_client.post(add, {**data, "problem-class_code": ""}).status_code == 400
    assert InspectionProblem.objects.count() == 2

    rectify = reverse("hotlines:inspection_rectification", args=[inspection.pk])
    fields = {
        "rectification-title": "东关路占道经营联合整治",
        "rectification-date": timezone.localdate().isoformat(),
        "rectification-departments": [department.pk, other_department.pk],
        "rectification-result": "清理摊点12处",
    }
    assert operator_client.post(rectify, fields).status_code == 302
    assert operator_client.post(rectify, fields).status_code == 302
    action = RectificationAction.objects.get()
    assert set(action.departments.all()) == {department, other_department}

    page = operator_client.get(reverse("hotlines:inspection_detail", args=[inspection.pk])).content.decode()
    for case in Case.objects.all():
        assert reverse("cases:detail", args=[case.pk]) in page
    assert f'data-rectification="{action.pk}"' in page
    listing = operator_client.get(reverse("hotlines:inspection_list"), {"level": "district_leader"}).content.decode()
    assert f'data-record="{inspection.pk}"' in listing


def test_inspection_entry_with_a_bad_problem_writes_nothing(operator_client):
    response = operator_client.post(reverse("hotlines:inspection_new"), _inspection_form(problem_class_code="99999"))
    assert response.status_code == 400
    assert "problem_class_code" in response.context["form"].errors
    assert not Inspection.objects.exists() and not Case.objects.exists()


def _chat_form(**overrides) -> dict:
    return {
        "group": "璧城千里眼群",
        "reporter_handle": "热心市民老张",
        "message_at": (timezone.localtime() - timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M:%S"),
        "content": "东关路口有暴露垃圾",
        "class_code": "06010",
        "address": "东关路口",
        "lng": INSIDE[0],
        "lat": INSIDE[1],
        **overrides,
    }


def test_bad_screenshot_is_refused_with_nothing_written(operator_client, _media):
    fake = SimpleUploadedFile("shot.png", b"<html>not an image</html>", content_type="image/png")
    response = operator_client.post(reverse("hotlines:chat_new"), {**_chat_form(), "screenshot": fake})
    assert response.status_code == 400
    assert "screenshot" in response.context["form"].errors
    assert not ChatGroupReport.objects.exists() and not Case.objects.exists()
    assert stored_files(_media) == []


def test_chat_report_with_screenshot_raises_one_case(operator_client, _media):
    data = _chat_form()
    for _attempt in range(2):
        shot = SimpleUploadedFile("shot.bin", png_bytes(), content_type="application/octet-stream")
        assert operator_client.post(reverse("hotlines:chat_new"), {**data, "screenshot": shot}).status_code == 302
    report = ChatGroupReport.objects.get()
    assert report.case.source == CaseSource.CHAT_GROUP and Case.objects.count() == 1
    assert report.screenshot.name.endswith(".png") and len(stored_files(_media)) == 1

    # Replacing the screenshot: a bad file changes nothing, a good one replaces it.
    url = reverse("hotlines:chat_screenshot", args=[report.pk])
    bad = SimpleUploadedFile("x.jpg", b"GIF89a......", content_type="image/jpeg")
    assert operator_client.post(url, {"screenshot": bad}).status_code == 400
    report.refresh_from_db()
    assert report.screenshot.name.endswith(".png")
    page = operator_client.get(reverse("hotlines:chat_detail", args=[report.pk])).content.decode()
    assert 'id="screenshot"' in page and reverse("cases:detail", args=[report.case_id]) in page


def test_camera_map_and_case_from_camera(operator_client, _media):
    from django.contrib.gis.geos import Point

    camera = Camera.objects.create(
        code="CAM-DG-01", name="东关路口", location=Point(*INSIDE, srid=4326), address="东关路口"
    )
    listing = operator_client.get(reverse("hotlines:camera_list"))
    body = listing.content.decode()
    assert listing.status_code == 200 and 'id="cameramap"' in body and "camera-map-data" in body
    assert listing.context["map_data"]["cameras"][0]["code"] == "CAM-DG-01"

    detail = operator_client.get(reverse("hotlines:camera_detail", args=[camera.pk]))
    captured = detail.context["case_form"].initial["captured_at"]
    url = reverse("hotlines:camera_case", args=[camera.pk])
    for _attempt in range(2):
        snapshot = SimpleUploadedFile("snap.png", png_bytes(), content_type="image/png")
        response = operator_client.post(
            url, {"class_code": "06010", "captured_at": captured, "description": "路口垃圾", "snapshot": snapshot}
        )
        assert response.status_code == 302
    video = VideoCase.objects.get()
    assert video.camera == camera and video.case.source == CaseSource.VIDEO and video.snapshot
    assert Case.objects.count() == 1
    page = operator_client.get(reverse("hotlines:camera_detail", args=[camera.pk])).content.decode()
    assert f'data-video="{video.pk}"' in page and reverse("cases:detail", args=[video.case_id]) in page

    bad = SimpleUploadedFile("snap.png", b"not an image at all", content_type="image/png")
    later = (timezone.localtime() - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S")
    response = operator_client.post(url, {"class_code": "06010", "captured_at": later, "snapshot": bad})
    assert response.status_code == 400 and "snapshot" in response.context["case_form"].errors
    assert VideoCase.objects.count() == 1 and Case.objects.count() == 1


PAGES = [
    ("hotlines:channels", []),
    ("hotlines:opinion_list", []),
    ("hotlines:opinion_new", []),
    ("hotlines:inspection_list", []),
    ("hotlines:inspection_new", []),
    ("hotlines:chat_list", []),
    ("hotlines:chat_new", []),
    ("hotlines:camera_list", []),
]


def test_a_department_handler_gets_403(client, cast, base_map):
    from django.contrib.gis.geos import Point

    camera = Camera.objects.create(code="CAM-X", name="x", location=Point(*INSIDE, srid=4326))
    inspection = Inspection.objects.create(
        inspector="王区长", level="district_leader", date=timezone.localdate(), route="东关路"
    )
    client.force_login(cast["handler"])
    for name, args in PAGES:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    assert client.get(reverse("hotlines:camera_detail", args=[camera.pk])).status_code == 403
    assert client.get(reverse("hotlines:inspection_detail", args=[inspection.pk])).status_code == 403
    posted = client.post(reverse("hotlines:inspection_new"), _inspection_form())
    assert posted.status_code == 403
    assert Inspection.objects.count() == 1 and not Case.objects.exists()
    console = client.get(reverse("hotlines:console")).content.decode()
    assert 'id="other-channels"' not in console


def test_supervisor_reads_opinions_only(client, cast):
    client.force_login(cast["supervisor"])
    assert client.get(reverse("hotlines:channels")).status_code == 200
    assert client.get(reverse("hotlines:opinion_list")).status_code == 200
    assert client.get(reverse("hotlines:opinion_new")).status_code == 403
    assert client.get(reverse("hotlines:inspection_list")).status_code == 403


def test_hotline_console_links_to_the_channels(operator_client):
    console = operator_client.get(reverse("hotlines:console")).content.decode()
    assert 'id="other-channels"' in console and reverse("hotlines:channels") in console
    index = operator_client.get(reverse("hotlines:channels"))
    assert {card["key"] for card in index.context["cards"]} == {"opinions", "inspections", "chat", "cameras"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_operator_records_an_inspection_in_the_browser(page, live_server, console_login, cast, base_map, garbage_class):
    """From the hotline console to the inspection entry form: the inspection and its problem are recorded, the
    problem's case is linked on the inspection page with its status; a second problem is added on that page."""
    console_login(cast["operator"])
    page.goto(f"{live_server.url}{reverse('hotlines:console')}")
    with page.expect_navigation():
        page.click("#other-channels")
    with page.expect_navigation():
        page.click('#channel-table tr[data-channel="inspections"] a')
    with page.expect_navigation():
        page.click("#new-record")
    assert page.input_value("#id_date") == timezone.localdate().isoformat()
    page.fill("#id_inspector", "王区长")
    page.select_option("#id_level", "district_leader")
    page.fill("#id_route", "东关路—南门路")
    page.fill("#id_problem_description", "东关路8号垃圾桶满溢")
    page.select_option("#id_problem_class_code", "06010")
    page.fill("#id_problem_address", "东关路8号")
    page.fill("#id_problem_lng", str(INSIDE[0]))
    page.fill("#id_problem_lat", str(INSIDE[1]))
    _screenshot(page, "channels-inspection-entry")
    with page.expect_navigation():
        page.click("#submit-entry")

    inspection = Inspection.objects.get()
    assert page.url == f"{live_server.url}{reverse('hotlines:inspection_detail', args=[inspection.pk])}"
    problem = InspectionProblem.objects.get()
    assert problem.case.source == CaseSource.INSPECTION
    row = page.locator(f'#problem-table tr[data-problem="{problem.pk}"]')
    assert row.locator("a.case-link").inner_text() == problem.case.case_no
    assert row.locator(".status").get_attribute("data-status") == problem.case.status

    page.fill("#id_problem-description", "南门路人行道破损")
    page.select_option("#id_problem-class_code", "06010")
    page.fill("#id_problem-lng", str(INSIDE[0]))
    page.fill("#id_problem-lat", str(INSIDE[1]))
    with page.expect_navigation():
        page.click("#problem-form button[type=submit]")
    assert page.locator("#problem-table tr[data-problem]").count() == 2
    assert Case.objects.filter(source=CaseSource.INSPECTION).count() == 2
    _screenshot(page, "channels-inspection-detail")

    # The form refuses an empty inspector: the errors come back, nothing more is written.
    page.goto(f"{live_server.url}{reverse('hotlines:inspection_new')}")
    page.fill("#id_route", "另一条路线")
    page.click("#submit-entry")
    page.wait_for_selector("#inspection-entry .errorlist")
    assert Inspection.objects.count() == 1

    # The camera registry draws its cameras on the Leaflet map.
    from django.contrib.gis.geos import Point

    Camera.objects.create(code="CAM-DG-01", name="东关路口", location=Point(*INSIDE, srid=4326))
    page.goto(f"{live_server.url}{reverse('hotlines:camera_list')}")
    page.wait_for_function("() => window.cameraMapState && window.cameraMapState.markers === 1")
    _screenshot(page, "channels-cameras")
