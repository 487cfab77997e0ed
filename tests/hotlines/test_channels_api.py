"""The channels API (/api/v1/channels/…): list, detail and create of online opinions, inspections, chat-group
reports and cameras; creates are idempotent on the natural key (201 then 200, one case), bad input is a 400 naming
the field with nothing written, and a role without the view permission gets 403."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.choices import CaseSource
from cases.models import Case
from hotlines.models import Camera, ChatGroupReport, Inspection, InspectionProblem, OnlineOpinion, VideoCase
from tests.fixtures.small_city import INSIDE
from tests.hotlines.test_channels_console import png_bytes, stored_files

pytestmark = pytest.mark.django_db

BASE = "/api/v1/channels"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def operator_api(api_as, cast, base_map, garbage_class):
    return api_as(cast["operator"])


def _ago(**delta) -> str:
    return (timezone.now() - timedelta(**delta)).isoformat()


def _opinion(**overrides) -> dict:
    return {
        "channel": "web_message",
        "external_no": "WL-2026-0001",
        "title": "南门路井盖缺失",
        "content": "夜间有安全隐患",
        "submitted_at": _ago(hours=3),
        "class_code": "06010",
        "lng": INSIDE[0],
        "lat": INSIDE[1],
        **overrides,
    }


def test_create_online_opinion_is_idempotent_with_one_case(operator_api):
    first = operator_api.post(f"{BASE}/online-opinions/", _opinion(), format="json")
    second = operator_api.post(f"{BASE}/online-opinions/", _opinion(), format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    case = first.json()["case"]
    assert case["source"] == CaseSource.ONLINE and case["case_no"] and case["status"]
    assert OnlineOpinion.objects.count() == 1 and Case.objects.count() == 1

    listing = operator_api.get(f"{BASE}/online-opinions/", {"channel": "web_message", "replied": "false"})
    assert [row["id"] for row in listing.json()["results"]] == [first.json()["id"]]
    assert operator_api.get(f"{BASE}/online-opinions/", {"channel": "mailbox"}).json()["count"] == 0
    detail = operator_api.get(f"{BASE}/online-opinions/{first.json()['id']}/")
    assert detail.status_code == 200 and detail.json()["case"]["id"] == case["id"]


def test_online_opinion_bad_input_names_the_field(operator_api):
    response = operator_api.post(f"{BASE}/online-opinions/", _opinion(channel="fax", title=""), format="json")
    assert response.status_code == 400 and {"channel", "title"} <= set(response.json())
    unknown = operator_api.post(f"{BASE}/online-opinions/", _opinion(class_code="99999"), format="json")
    assert unknown.status_code == 400 and "class_code" in unknown.json()
    outside = operator_api.post(f"{BASE}/online-opinions/", _opinion(lng=100.0, lat=20.0), format="json")
    assert outside.status_code == 400 and "location" in outside.json()
    assert not OnlineOpinion.objects.exists() and not Case.objects.exists()


def test_reply_to_an_online_opinion(operator_api):
    created = operator_api.post(f"{BASE}/online-opinions/", _opinion(), format="json").json()
    url = f"{BASE}/online-opinions/{created['id']}/reply/"
    assert operator_api.post(url, {}, format="json").status_code == 400
    too_early = operator_api.post(url, {"reply": "已处理", "replied_at": _ago(days=2)}, format="json")
    assert too_early.status_code == 400 and "replied_at" in too_early.json()
    response = operator_api.post(url, {"reply": "已通知市政所补装井盖"}, format="json")
    assert response.status_code == 200
    assert response.json()["reply"] == "已通知市政所补装井盖" and response.json()["replied_at"]
    assert operator_api.post(f"{BASE}/online-opinions/999999/reply/", {"reply": "x"}, format="json").status_code == 404


def _inspection(**overrides) -> dict:
    return {
        "inspector": "李局长",
        "level": "bureau_leader",
        "date": timezone.localdate().isoformat(),
        "route": "璧城街道 东关路—南门路",
        "problems": [
            {
                "description": "垃圾桶满溢",
                "class_code": "06010",
                "address": "东关路8号",
                "lng": INSIDE[0],
                "lat": INSIDE[1],
            },
            {"description": "绿化带垃圾", "class_code": "06010", "lng": INSIDE[0], "lat": INSIDE[1]},
        ],
        **overrides,
    }


def test_inspection_problems_become_cases(operator_api, department):
    first = operator_api.post(f"{BASE}/inspections/", _inspection(), format="json")
    second = operator_api.post(f"{BASE}/inspections/", _inspection(), format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    body = first.json()
    assert len(body["problems"]) == 2 and all(p["case"]["source"] == CaseSource.INSPECTION for p in body["problems"])
    assert InspectionProblem.objects.count() == 2 and Case.objects.count() == 2

    url = f"{BASE}/inspections/{body['id']}/problems/"
    problem = {"description": "店外经营", "class_code": "06010", "lng": INSIDE[0], "lat": INSIDE[1]}
    assert operator_api.post(url, problem, format="json").status_code == 201
    assert operator_api.post(url, problem, format="json").status_code == 200
    assert Case.objects.filter(source=CaseSource.INSPECTION).count() == 3

    rectify = f"{BASE}/inspections/{body['id']}/rectifications/"
    action = {"title": "联合整治", "date": timezone.localdate().isoformat(), "departments": [department.pk]}
    assert operator_api.post(rectify, action, format="json").status_code == 201
    assert operator_api.post(rectify, action, format="json").status_code == 200
    bad = operator_api.post(rectify, {**action, "title": "另一次", "departments": [987654]}, format="json")
    assert bad.status_code == 400 and "departments" in bad.json()
    detail = operator_api.get(f"{BASE}/inspections/{body['id']}/").json()
    assert detail["rectifications"][0]["departments"] == [department.pk]
    assert operator_api.get(f"{BASE}/inspections/", {"level": "bureau_leader"}).json()["count"] == 1


def test_inspection_with_a_bad_problem_writes_nothing(operator_api):
    data = _inspection()
    data["problems"][1]["class_code"] = "99999"
    response = operator_api.post(f"{BASE}/inspections/", data, format="json")
    assert response.status_code == 400 and "problems[1].class_code" in response.json()
    missing = _inspection()
    del missing["problems"][0]["lng"]
    response = operator_api.post(f"{BASE}/inspections/", missing, format="json")
    assert response.status_code == 400 and "problems" in response.json()
    assert not Inspection.objects.exists() and not Case.objects.exists()


def _chat(**overrides) -> dict:
    return {
        "group": "璧泉千里眼群",
        "reporter_handle": "王师傅",
        "message_at": _ago(minutes=20),
        "content": "路边有建筑垃圾",
        "class_code": "06010",
        "lng": INSIDE[0],
        "lat": INSIDE[1],
        **overrides,
    }


def test_chat_report_screenshot_checked_by_content(operator_api, _media):
    fake = SimpleUploadedFile("shot.jpg", b"MZ\x90\x00 an executable", content_type="image/jpeg")
    response = operator_api.post(f"{BASE}/chat-reports/", {**_chat(), "screenshot": fake}, format="multipart")
    assert response.status_code == 400 and "screenshot" in response.json()
    assert not ChatGroupReport.objects.exists() and not Case.objects.exists() and stored_files(_media) == []

    data = _chat()
    codes = []
    for _attempt in range(2):
        shot = SimpleUploadedFile("shot.png", png_bytes(), content_type="image/png")
        codes.append(operator_api.post(f"{BASE}/chat-reports/", {**data, "screenshot": shot}, format="multipart"))
    assert [r.status_code for r in codes] == [201, 200]
    body = codes[0].json()
    assert body["case"]["source"] == CaseSource.CHAT_GROUP and body["screenshot"].endswith(".png")
    assert ChatGroupReport.objects.count() == 1 and Case.objects.count() == 1 and len(stored_files(_media)) == 1
    assert operator_api.get(f"{BASE}/chat-reports/", {"has_case": "true"}).json()["count"] == 1


def test_cameras_registry_and_case_from_camera(api_as, cast, base_map, garbage_class, _media):
    operator = api_as(cast["operator"])
    camera = {"code": "CAM-NM-02", "name": "南门路口", "lng": INSIDE[0], "lat": INSIDE[1], "watches": "market"}
    assert operator.post(f"{BASE}/cameras/", camera, format="json").status_code == 403  # no add_camera
    admin = api_as(cast["admin"])
    assert admin.post(f"{BASE}/cameras/", {**camera, "lng": 500}, format="json").status_code == 400
    first = admin.post(f"{BASE}/cameras/", camera, format="json")
    assert first.status_code == 201 and admin.post(f"{BASE}/cameras/", camera, format="json").status_code == 200
    pk = first.json()["id"]

    operator = api_as(cast["operator"])
    listing = operator.get(f"{BASE}/cameras/", {"watches": "market"}).json()
    assert [row["code"] for row in listing["results"]] == ["CAM-NM-02"]
    captured = _ago(minutes=5)
    results = []
    for _attempt in range(2):
        snapshot = SimpleUploadedFile("snap.png", png_bytes(), content_type="image/png")
        results.append(
            operator.post(
                f"{BASE}/cameras/{pk}/cases/",
                {"class_code": "06010", "captured_at": captured, "snapshot": snapshot},
                format="multipart",
            )
        )
    assert [r.status_code for r in results] == [201, 200]
    assert results[0].json()["id"] == results[1].json()["id"]
    assert results[0].json()["case"]["source"] == CaseSource.VIDEO and results[0].json()["snapshot"]
    assert VideoCase.objects.count() == 1 and Case.objects.count() == 1
    detail = operator.get(f"{BASE}/cameras/{pk}/").json()
    assert [v["id"] for v in detail["video_cases"]] == [results[0].json()["id"]]
    assert Camera.objects.get(pk=pk).video_cases.count() == 1


ENDPOINTS = ["online-opinions", "inspections", "chat-reports", "cameras"]


def test_a_department_handler_gets_403(api_as, cast, base_map, garbage_class):
    handler = api_as(cast["handler"])
    for name in ENDPOINTS:
        assert handler.get(f"{BASE}/{name}/").status_code == 403, name
    assert handler.post(f"{BASE}/online-opinions/", _opinion(), format="json").status_code == 403
    assert handler.post(f"{BASE}/inspections/", _inspection(), format="json").status_code == 403
    assert not OnlineOpinion.objects.exists() and not Inspection.objects.exists() and not Case.objects.exists()


def test_supervisor_reads_opinions_but_may_not_create(api_as, cast, base_map, garbage_class):
    supervisor = api_as(cast["supervisor"])
    assert supervisor.get(f"{BASE}/online-opinions/").status_code == 200
    assert supervisor.post(f"{BASE}/online-opinions/", _opinion(), format="json").status_code == 403
    assert supervisor.get(f"{BASE}/inspections/").status_code == 403


def test_shift_leader_may_record_but_not_raise_cases(api_as, cast, base_map, garbage_class):
    """The leader's role has the channel permissions but not cases.report_case: 403 and nothing written."""
    leader = api_as(cast["leader"])
    assert leader.post(f"{BASE}/online-opinions/", _opinion(), format="json").status_code == 403
    assert not OnlineOpinion.objects.exists()


def test_schema_documents_the_channel_endpoints(client):
    from django.urls import reverse

    response = client.get(reverse("schema"), {"format": "json"})
    paths = response.json()["paths"]
    for name in ENDPOINTS:
        assert f"/api/v1/channels/{name}/" in paths and "post" in paths[f"/api/v1/channels/{name}/"]
    assert "/api/v1/channels/online-opinions/{id}/reply/" in paths
    assert "/api/v1/channels/inspections/{id}/problems/" in paths
    assert "/api/v1/channels/cameras/{id}/cases/" in paths


@pytest.mark.django_db(transaction=True)
def test_two_identical_submissions_racing_make_one_record_and_one_case(cast, base_map, garbage_class):
    import threading

    from django.db import connection

    from hotlines.channels import services as channel_services

    barrier = threading.Barrier(2)
    results: list = []
    errors: list = []

    def submit():
        try:
            barrier.wait()
            inspection, created = channel_services.record_inspection(cast["operator"], **_inspection())
            opinion, opinion_created = channel_services.record_opinion(cast["operator"], **_opinion())
            results.append((inspection.pk, created, opinion.pk, opinion_created))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len({r[0] for r in results}) == 1 and sorted(r[1] for r in results) == [False, True]
    assert len({r[2] for r in results}) == 1
    assert Inspection.objects.count() == 1 and InspectionProblem.objects.count() == 2
    assert OnlineOpinion.objects.count() == 1
    assert Case.objects.filter(source=CaseSource.INSPECTION).count() == 2
    assert Case.objects.filter(source=CaseSource.ONLINE).count() == 1
