"""The case API as the handheld app and the departments use it."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cases.models import Case, CasePhoto
from tests.fixtures.small_city import OUTSIDE
from tests.fixtures.small_city import report_body as report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def image(fmt: str = "JPEG", name: str = "p.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def media_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files] if os.path.exists(root) else []


class TestIntake:
    def test_report_json(self, api_as, cast, base_map, garbage_class):
        response = api_as(cast["collector"]).post("/api/v1/cases/", report(), format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert set(body) >= {"id", "case_no", "status", "grid_code", "deadline"}
        assert body["status"] == "reported" and body["grid_code"] == "500120001001001" and body["deadline"]

    def test_a_repeated_client_uuid_returns_the_same_case(self, api_as, cast, base_map, garbage_class):
        client = api_as(cast["collector"])
        body = report()
        first = client.post("/api/v1/cases/", body, format="json")
        again = client.post("/api/v1/cases/", body, format="json")
        assert (first.status_code, again.status_code) == (201, 200)
        assert first.json()["id"] == again.json()["id"] and Case.objects.count() == 1

    def test_multipart_with_photos_of_each_format(self, api_as, cast, base_map, garbage_class, settings):
        photos = [image("JPEG", "a.jpg"), image("PNG", "b.png"), image("WEBP", "c.bin")]
        response = api_as(cast["collector"]).post("/api/v1/cases/", {**report(), "photos": photos}, format="multipart")
        assert response.status_code == 201, response.json()
        kinds = sorted(CasePhoto.objects.values_list("content_type", flat=True))
        assert kinds == ["image/jpeg", "image/png", "image/webp"] and len(media_files(settings)) == 3

    @pytest.mark.parametrize(
        "photos, reason",
        [
            (lambda: [SimpleUploadedFile("fake.jpg", b"this is text, not a photo")], "fake.jpg"),
            (lambda: [SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024 + 1))], "big.jpg"),
            (lambda: [image() for _ in range(7)], "6"),
        ],
    )
    def test_bad_photos_are_refused_and_nothing_is_written(
        self, api_as, cast, base_map, garbage_class, settings, photos, reason
    ):
        response = api_as(cast["collector"]).post(
            "/api/v1/cases/", {**report(), "photos": photos()}, format="multipart"
        )
        assert response.status_code == 400 and "photos" in response.json()
        assert reason in str(response.json()["photos"])
        assert Case.objects.count() == 0 and CasePhoto.objects.count() == 0 and media_files(settings) == []

    def test_kind_chooses_between_a_component_and_an_event_class_of_the_same_code(self, api_as, cast, base_map):
        """The standard numbers component and event classes apart: 01010 names one of each."""
        from grids.models import MinorClass

        classes = MinorClass.objects.filter(standard__is_default=True, code="01010")
        assert sorted(classes.values_list("kind", flat=True)) == ["component", "event"]
        client = api_as(cast["collector"])
        made = {}
        for kind in ("event", "component", None):
            body = report(class_code="01010", **({"kind": kind} if kind else {}))
            response = client.post("/api/v1/cases/", body, format="json")
            assert response.status_code == 201, response.json()
            made[kind] = Case.objects.get(pk=response.json()["id"])
        assert (made["event"].kind, made["component"].kind, made[None].kind) == ("event", "component", "event")
        assert made["component"].minor_class == classes.get(kind="component")
        response = client.post("/api/v1/cases/", report(class_code="01010", kind="thing"), format="json")
        assert response.status_code == 400 and "kind" in response.json()

    @pytest.mark.parametrize(
        "overrides, field",
        [
            ({"class_code": "99999"}, "class_code"),
            ({"lat": "north"}, "lat"),
            ({"client_uuid": "x"}, "client_uuid"),
            ({"condition": 999999}, "condition"),
            ({"component_id": "50012001001999999"}, "component_id"),
        ],
    )
    def test_bad_input_names_the_field(self, api_as, cast, base_map, garbage_class, overrides, field):
        response = api_as(cast["collector"]).post("/api/v1/cases/", report(**overrides), format="json")
        assert response.status_code == 400 and field in response.json(), response.json()
        assert Case.objects.count() == 0

    def test_a_point_outside_the_city_says_so(self, api_as, cast, base_map, garbage_class):
        response = api_as(cast["collector"]).post(
            "/api/v1/cases/", report(lng=OUTSIDE[0], lat=OUTSIDE[1]), format="json"
        )
        # The message names the point (its wording is translated).
        assert response.status_code == 400 and f"{OUTSIDE[0]:.6f}" in response.json()["location"][0]

    def test_missing_client_uuid(self, api_as, cast, base_map, garbage_class):
        body = report()
        del body["client_uuid"]
        response = api_as(cast["collector"]).post("/api/v1/cases/", body, format="json")
        assert response.status_code == 400 and "client_uuid" in response.json()

    def test_a_department_may_not_report(self, api_as, cast, base_map, garbage_class):
        assert api_as(cast["handler"]).post("/api/v1/cases/", report(), format="json").status_code == 403

    def test_batch_sync_answers_per_item(self, api_as, cast, base_map, garbage_class):
        client = api_as(cast["collector"])
        known = report()
        client.post("/api/v1/cases/", known, format="json")
        items = [known, report(), report(class_code="nope"), {"class_code": "06010"}, report(lng=OUTSIDE[0])]
        response = client.post("/api/v1/cases/batch/", {"items": items}, format="json")
        assert response.status_code == 200
        statuses = [r["status"] for r in response.json()["results"]]
        assert statuses == ["exists", "created", "error", "error", "error"]
        results = response.json()["results"]
        assert "class_code" in results[2]["errors"] and "client_uuid" in results[3]["errors"]
        assert Case.objects.count() == 2

    def test_batch_limit(self, api_as, cast, base_map, garbage_class):
        response = api_as(cast["collector"]).post("/api/v1/cases/batch/", {"items": [report()] * 501}, format="json")
        assert response.status_code == 400 and "items" in response.json()


class TestWorkflowEndpoints:
    def test_main_path_through_the_api(self, api_as, cast, base_map, garbage_class, department):
        case_id = api_as(cast["collector"]).post("/api/v1/cases/", report(), format="json").json()["id"]
        assert api_as(cast["operator"]).post(f"/api/v1/cases/{case_id}/accept/").status_code == 200
        detail = (
            api_as(cast["leader"])
            .post(f"/api/v1/cases/{case_id}/register/", {"condition": garbage_class["condition"].pk}, format="json")
            .json()
        )
        assert detail["suggested_department"] == department.pk
        api_as(cast["dispatcher"]).post(
            f"/api/v1/cases/{case_id}/dispatch/", {"department": department.pk}, format="json"
        )
        handler = api_as(cast["handler"])
        assert handler.post(f"/api/v1/cases/{case_id}/sign/").status_code == 200
        response = handler.post(
            f"/api/v1/cases/{case_id}/dispose/", {"opinion": "已清运", "photos": [image()]}, format="multipart"
        )
        assert response.status_code == 200 and response.json()["status"] == "disposed"
        assert [p["kind"] for p in response.json()["photos"]] == ["after"]
        api_as(cast["operator"]).post(
            f"/api/v1/cases/{case_id}/send-check/", {"collector": cast["collector"].pk}, format="json"
        )
        tasks = api_as(cast["collector"]).get("/api/v1/tasks/").json()
        assert [t["id"] for t in tasks["results"]] == [case_id]
        api_as(cast["collector"]).post(f"/api/v1/cases/{case_id}/check/", {"passed": True}, format="json")
        detail = api_as(cast["leader"]).post(f"/api/v1/cases/{case_id}/close/").json()
        assert detail["status"] == "closed"
        assert [e["action"] for e in detail["events"]][-1] == "close"

    def test_dispose_needs_an_after_photo_when_the_condition_says_so(
        self, api_as, cast, base_map, garbage_class, department
    ):
        condition = garbage_class["condition"]
        condition.requires_after_photo = True
        condition.save()
        case_id = api_as(cast["collector"]).post("/api/v1/cases/", report(), format="json").json()["id"]
        api_as(cast["operator"]).post(f"/api/v1/cases/{case_id}/accept/")
        api_as(cast["leader"]).post(f"/api/v1/cases/{case_id}/register/", {"condition": condition.pk}, format="json")
        api_as(cast["dispatcher"]).post(
            f"/api/v1/cases/{case_id}/dispatch/", {"department": department.pk}, format="json"
        )
        handler = api_as(cast["handler"])
        handler.post(f"/api/v1/cases/{case_id}/sign/")
        refused = handler.post(f"/api/v1/cases/{case_id}/dispose/", {"opinion": "已清运"}, format="multipart")
        assert refused.status_code == 400 and "photos" in refused.json()
        assert Case.objects.get(pk=case_id).status == "disposing"
        accepted = handler.post(
            f"/api/v1/cases/{case_id}/dispose/", {"opinion": "已清运", "photos": [image()]}, format="multipart"
        )
        assert accepted.status_code == 200 and accepted.json()["status"] == "disposed"

    def test_409_names_the_current_status(self, api_as, cast, base_map, garbage_class):
        case_id = api_as(cast["collector"]).post("/api/v1/cases/", report(), format="json").json()["id"]
        response = api_as(cast["leader"]).post(f"/api/v1/cases/{case_id}/close/")
        assert response.status_code == 409 and response.json()["status"] == "reported"
        # The sentence names the status by its label; the code is only in the `status` field for the app.
        assert response.json()["detail"] == "案件当前状态为“已上报”，不能执行“结案”。"

    def test_409_says_why_in_the_users_language(self, api_as, cast, base_map, garbage_class):
        case_id = api_as(cast["collector"]).post("/api/v1/cases/", report(), format="json").json()["id"]
        response = api_as(cast["leader"]).post(f"/api/v1/cases/{case_id}/deny-cancel/", {"opinion": "不同意"})
        assert response.status_code == 409
        assert response.json()["detail"].endswith("没有待审批的作废申请。")
        assert not any(c.isascii() and c.isalpha() for c in response.json()["detail"])

    def test_403_for_a_role_that_may_not(self, api_as, cast, base_map, garbage_class):
        case_id = api_as(cast["collector"]).post("/api/v1/cases/", report(), format="json").json()["id"]
        assert api_as(cast["dispatcher"]).post(f"/api/v1/cases/{case_id}/accept/").status_code == 403

    def test_404_for_a_case_the_user_may_not_see(self, api_as, cast, base_map, garbage_class, department):
        case_id = api_as(cast["collector"]).post("/api/v1/cases/", report(), format="json").json()["id"]
        other = api_as(cast["other_handler"])
        assert other.get(f"/api/v1/cases/{case_id}/").status_code == 404
        assert other.post(f"/api/v1/cases/{case_id}/sign/").status_code == 404

    def test_400_names_the_parameter(self, api_as, cast, base_map, garbage_class):
        case_id = api_as(cast["collector"]).post("/api/v1/cases/", report(), format="json").json()["id"]
        api_as(cast["operator"]).post(f"/api/v1/cases/{case_id}/accept/")
        response = api_as(cast["leader"]).post(f"/api/v1/cases/{case_id}/register/", {"condition": 0}, format="json")
        assert response.status_code == 400 and "condition" in response.json()


class TestLists:
    def test_scoping_and_filters(self, api_as, cast, base_map, garbage_class, department):
        collector = api_as(cast["collector"])
        first = collector.post("/api/v1/cases/", report(description="垃圾堆"), format="json").json()["id"]
        collector.post("/api/v1/cases/", report(description="另一处"), format="json")
        operator = api_as(cast["operator"])
        assert operator.get("/api/v1/cases/").json()["count"] == 2
        assert operator.get("/api/v1/cases/?q=垃圾堆").json()["count"] == 1
        assert operator.get("/api/v1/cases/?status=reported&class_code=06010&street=500120001").json()["count"] == 2
        assert operator.get("/api/v1/cases/?overdue=true").json()["count"] == 0
        operator.post(f"/api/v1/cases/{first}/accept/")
        api_as(cast["leader"]).post(
            f"/api/v1/cases/{first}/register/", {"condition": garbage_class["condition"].pk}, format="json"
        )
        api_as(cast["dispatcher"]).post(
            f"/api/v1/cases/{first}/dispatch/", {"department": department.pk}, format="json"
        )
        assert [c["id"] for c in api_as(cast["handler"]).get("/api/v1/cases/").json()["results"]] == [first]
        assert api_as(cast["other_handler"]).get("/api/v1/cases/").json()["count"] == 0
        assert api_as(cast["finance"]).get("/api/v1/cases/").status_code == 403  # finance reads no cases
        operator = api_as(cast["operator"])  # api_as re-authenticates one shared client
        listed = operator.get(f"/api/v1/cases/?department={department.pk}").json()
        assert listed["count"] == 1, listed
        row = listed["results"][0]
        assert row["traffic_light"] in {"green", "yellow", "red"}

    def test_detail_has_the_timeline_and_actions(self, api_as, cast, base_map, garbage_class):
        case_id = (
            api_as(cast["collector"])
            .post("/api/v1/cases/", {**report(), "photos": [image()]}, format="multipart")
            .json()["id"]
        )
        detail = api_as(cast["operator"]).get(f"/api/v1/cases/{case_id}/").json()
        assert [e["action"] for e in detail["events"]] == ["report"]
        assert detail["photos"][0]["url"].startswith("http") and detail["photos"][0]["kind"] == "before"
        assert {"accept", "reject"} <= {a["action"] for a in detail["available_actions"]}
