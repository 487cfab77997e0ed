"""The supervision API (/api/v1/supervision/): inspection records with evidence photos, trainings, collectors as
people and the company's monthly assessment — who may read and write (403/404), 400 naming the field with nothing
written, repeated submissions answered with the record already made, and the photos served only to those allowed."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

pytestmark = pytest.mark.django_db
BASE = "/api/v1/supervision"
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILES_X_ACCEL_REDIRECT_PREFIX = ""


def jpeg(name: str = "evidence.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (40, 80, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def inspection(who, **overrides) -> dict:
    return {
        "inspected_on": TODAY.isoformat(),
        "team": "第一督察组",
        "collector": who.pk,
        "kind": "missed",
        "grid_code": "500120001001001",
        "description": "东关路暴露垃圾未上报",
        "deduction": "2.00",
        **overrides,
    }


@pytest.fixture
def record(cast):
    from evaluation.supervision.services import record_inspection

    return record_inspection(
        cast["leader"],
        inspected_on=TODAY,
        team="第二督察组",
        collector=cast["collector"],
        kind="absence",
        description="14:00-15:00 不在责任网格",
        deduction=Decimal("3"),
        photos=[jpeg()],
    )


# ---- Inspection records ------------------------------------------------------------------------------------------


def test_an_inspector_records_with_photos_once(api_as, cast):
    from evaluation.models import InspectionPhoto, InspectionRecord

    api = api_as(cast["leader"])
    key = str(uuid.uuid4())
    body = inspection(cast["collector"], client_uuid=key, photos=[jpeg("a.jpg"), jpeg("b.jpg")])
    response = api.post(f"{BASE}/inspections/", body, format="multipart")
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["collector"]["id"] == cast["collector"].pk and made["inspector"]["username"] == "leader"
    assert made["deduction"] == "2.00" and made["kind_label"] and len(made["photos"]) == 2
    assert made["client_uuid"] == key and made["reversed_by"] is None
    again = api.post(f"{BASE}/inspections/", {**body, "photos": [jpeg("a.jpg")]}, format="multipart")
    assert again.status_code == 200 and again.json()["id"] == made["id"]
    assert InspectionRecord.objects.count() == 1 and InspectionPhoto.objects.count() == 2
    # Another inspector's device cannot reuse the id.
    other = api_as(cast["supervisor"]).post(f"{BASE}/inspections/", inspection(cast["collector"], client_uuid=key))
    assert other.status_code == 400 and "client_uuid" in other.json()


def test_photos_are_links_served_only_to_those_allowed(api_as, client, cast, record):
    api = api_as(cast["supervisor"])
    url = api.get(f"{BASE}/inspections/{record.pk}/").json()["photos"][0]["url"]
    path = url.split("testserver", 1)[-1]
    assert path.startswith("/files/inspections/")
    assert api.get(path).status_code == 200
    for refused in ("collector2", "handler", "finance"):
        client.force_login(cast[refused])
        assert client.get(path).status_code == 404, refused
    client.force_login(cast["collector"])  # the collector inspected sees the evidence about themselves
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"deduction": "-1"}, "deduction"),
        ({"description": " "}, "description"),
        ({"kind": "bogus"}, "kind"),
        ({"grid_code": "东关"}, "grid_code"),
        ({"team": ""}, "team"),
        ({"inspected_on": (TODAY + timedelta(days=3)).isoformat()}, "inspected_on"),
        ({"inspected_on": "2026-02-30"}, "inspected_on"),
        ({"collector": 2**31 - 1}, "collector"),
        ({"case_no": "NO-SUCH"}, "case_no"),
        ({"client_uuid": "not-a-uuid"}, "client_uuid"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(api_as, cast, overrides, field):
    from evaluation.models import InspectionRecord

    response = api_as(cast["leader"]).post(f"{BASE}/inspections/", inspection(cast["collector"], **overrides))
    assert response.status_code == 400 and field in response.json(), response.content
    assert not InspectionRecord.objects.exists()


def test_the_collector_must_be_a_collector_and_a_case_theirs(api_as, cast, new_case):
    api = api_as(cast["leader"])
    response = api.post(f"{BASE}/inspections/", inspection(cast["operator"]))
    assert response.status_code == 400 and "collector" in response.json()
    case = new_case(reporter=cast["collector2"])
    response = api.post(f"{BASE}/inspections/", inspection(cast["collector"], kind="false", case_no=case.case_no))
    assert response.status_code == 400 and "case_no" in response.json()
    response = api.post(f"{BASE}/inspections/", inspection(cast["collector2"], kind="false", case_no=case.case_no))
    assert response.status_code == 201 and response.json()["case"]["case_no"] == case.case_no


def test_a_non_image_photo_is_refused(api_as, cast):
    from evaluation.models import InspectionRecord

    fake = SimpleUploadedFile("x.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    body = inspection(cast["collector"], photos=[fake])
    response = api_as(cast["leader"]).post(f"{BASE}/inspections/", body, format="multipart")
    assert response.status_code == 400 and "photos" in response.json()
    assert not InspectionRecord.objects.exists()


@pytest.mark.parametrize("role", ["collector", "operator", "dispatcher", "handler", "finance"])
def test_other_roles_may_not_read_or_record(api_as, cast, record, role):
    api = api_as(cast[role])
    assert api.get(f"{BASE}/inspections/").status_code == 403
    assert api.get(f"{BASE}/inspections/{record.pk}/").status_code == 403
    assert api.post(f"{BASE}/inspections/", inspection(cast["collector"])).status_code == 403
    assert api.post(f"{BASE}/inspections/{record.pk}/reverse/", {"reason": "x"}).status_code == 403
    assert api.get(f"{BASE}/trainings/").status_code == 403
    assert api.get(f"{BASE}/collectors/").status_code == 403
    assert api.get(f"{BASE}/assessments/").status_code == 403


def test_list_filters_and_404(api_as, cast, record):
    api_as(cast["leader"]).post(f"{BASE}/inspections/", inspection(cast["collector2"]))
    api = api_as(cast["supervisor"])
    rows = api.get(f"{BASE}/inspections/").json()["results"]
    assert [r["collector"]["username"] for r in rows] == ["collector2", "collector"]
    only = api.get(f"{BASE}/inspections/", {"collector": cast["collector"].pk, "kind": "absence"}).json()
    assert [r["id"] for r in only["results"]] == [record.pk]
    assert api.get(f"{BASE}/inspections/", {"q": "不在责任网格"}).json()["count"] == 1
    assert api.get(f"{BASE}/inspections/", {"kind": "bogus"}).status_code == 400
    assert api.get(f"{BASE}/inspections/{record.pk + 1000}/").status_code == 404


def test_reversal_and_an_administrators_correction(api_as, cast, record):
    from core.models import AuditEntry

    api = api_as(cast["leader"])
    assert list(api.post(f"{BASE}/inspections/{record.pk}/reverse/", {}).json()) == ["reason"]
    response = api.post(f"{BASE}/inspections/{record.pk}/reverse/", {"reason": "复核：当时在网格内"})
    assert response.status_code == 201
    reversal = response.json()
    assert reversal["reverses"] == record.pk and reversal["deduction"] == "-3.00"
    assert api.get(f"{BASE}/inspections/{record.pk}/").json()["reversed_by"] == reversal["id"]
    again = api.post(f"{BASE}/inspections/{record.pk}/reverse/", {"reason": "再次"})
    assert again.status_code == 400 and "record" in again.json()
    assert api.get(f"{BASE}/inspections/", {"reversal": "true"}).json()["count"] == 1

    assert (
        api_as(cast["supervisor"])
        .post(f"{BASE}/inspections/{record.pk}/correct/", {"reason": "录入错误", "deduction": "1"})
        .status_code
        == 403
    )
    admin = api_as(cast["admin"])
    assert admin.post(f"{BASE}/inspections/{record.pk}/correct/", {"reason": "无变化"}).status_code == 400
    bad = admin.post(f"{BASE}/inspections/{record.pk}/correct/", {"reason": "x", "deduction": "-2"})
    assert bad.status_code == 400 and "deduction" in bad.json()
    response = admin.post(f"{BASE}/inspections/{record.pk}/correct/", {"reason": "录入错误", "deduction": "1"})
    assert response.status_code == 200
    body = response.json()
    assert body["deduction"] == "1.00" and body["corrections"][0]["reason"] == "录入错误"
    assert body["corrections"][0]["data"] == {"before": {"deduction": "3.00"}, "after": {"deduction": "1.00"}}
    assert AuditEntry.objects.filter(action="inspection.correct", object_id=str(record.pk)).exists()


# ---- Trainings and collectors ------------------------------------------------------------------------------------


def test_a_training_is_recorded_once_with_its_results(api_as, cast):
    from evaluation.models import Training, TrainingAttendance

    api = api_as(cast["leader"])
    key = str(uuid.uuid4())
    body = {
        "client_uuid": key,
        "held_on": "2026-03-02",
        "topic": "立案标准",
        "trainer": "培训组",
        "attendees": [
            {"collector": cast["collector"].pk, "passed": True},
            {"collector": cast["collector2"].pk, "passed": False},
        ],
    }
    response = api.post(f"{BASE}/trainings/", body, format="json")
    assert response.status_code == 201, response.content
    results = {a["collector"]["username"]: a["passed"] for a in response.json()["attendees"]}
    assert results == {"collector": True, "collector2": False}
    assert api.post(f"{BASE}/trainings/", body, format="json").status_code == 200
    assert Training.objects.count() == 1 and TrainingAttendance.objects.count() == 2
    filtered = api.get(f"{BASE}/trainings/", {"collector": cast["collector2"].pk}).json()
    assert filtered["count"] == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"attendees": []}, "attendees"),
        ({"attendees": "operator"}, "attendees"),
        ({"attendees": "unknown"}, "attendees"),
        ({"attendees": "twice"}, "attendees"),
        ({"topic": " "}, "topic"),
        ({"held_on": "2999-01-01"}, "held_on"),
    ],
)
def test_bad_training_input_names_the_field(api_as, cast, change, field):
    from evaluation.models import Training

    attendees = {
        "operator": [{"collector": cast["operator"].pk, "passed": True}],
        "unknown": [{"collector": 2**31 - 1, "passed": True}],
        "twice": [{"collector": cast["collector"].pk, "passed": True}] * 2,
    }
    body = {"held_on": "2026-03-02", "topic": "立案标准", "trainer": "培训组"}
    body["attendees"] = [{"collector": cast["collector"].pk, "passed": True}]
    body.update({k: attendees.get(v, v) if isinstance(v, str) else v for k, v in change.items()})
    response = api_as(cast["leader"]).post(f"{BASE}/trainings/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.content
    assert not Training.objects.exists()


def test_collectors_as_people(api_as, cast, make_user):
    from core.choices import Role
    from evaluation.supervision.models import CollectorProfile
    from evaluation.supervision.services import record_training

    gone = make_user("gone", Role.COLLECTOR)
    gone.is_active = False
    gone.save()
    CollectorProfile.objects.create(user=cast["collector2"], home="sanitation", started_on=date(2025, 7, 1))
    record_training(
        cast["leader"], held_on=date(2026, 3, 1), topic="立案标准", trainer="培训组", results={cast["collector"]: False}
    )
    record_training(
        cast["leader"],
        held_on=date(2026, 3, 9),
        topic="补训",
        trainer="培训组",
        results={cast["collector"]: True, cast["collector2"]: False},
    )
    api = api_as(cast["supervisor"])
    rows = {r["username"]: r for r in api.get(f"{BASE}/collectors/").json()["results"]}
    assert set(rows) == {"collector", "collector2"}
    assert rows["collector"]["home"] == "full_time" and rows["collector"]["part_time"] is False
    assert rows["collector"]["last_passed"] is True and rows["collector"]["flagged"] is False
    assert rows["collector"]["last_trained_on"] == "2026-03-09"
    assert rows["collector2"]["home_label"] == "环卫" and rows["collector2"]["started_on"] == "2025-07-01"
    assert rows["collector2"]["flagged"] is True
    part_time = api.get(f"{BASE}/collectors/", {"part_time": "true"}).json()["results"]
    assert [r["username"] for r in part_time] == ["collector2"]
    assert [r["username"] for r in api.get(f"{BASE}/collectors/", {"flagged": "yes"}).json()["results"]] == [
        "collector2"
    ]
    assert api.get(f"{BASE}/collectors/", {"home": "nowhere"}).status_code == 400
    assert api.get(f"{BASE}/collectors/{gone.pk}/").status_code == 404
    assert api.get(f"{BASE}/collectors/{cast['operator'].pk}/").status_code == 404


# ---- The company's monthly assessment ----------------------------------------------------------------------------


@pytest.fixture
def items(db):
    from evaluation.supervision.reference import ensure_default_items

    ensure_default_items()


def test_the_assessment_through_the_api(api_as, cast, items):
    api = api_as(cast["supervisor"])
    month = (TODAY.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    response = api.post(f"{BASE}/assessments/", {"month": month, "company": "璧山城市信息采集公司"})
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["status"] == "draft" and made["lines"] and made["events"][0]["action"] == "create"
    again = api.post(f"{BASE}/assessments/", {"month": month, "company": "璧山城市信息采集公司"})
    assert again.status_code == 400 and "month" in again.json()
    bad = api.post(f"{BASE}/assessments/", {"month": "2026-13", "company": "x"})
    assert bad.status_code == 400 and "month" in bad.json()

    manual = next(row["line"] for row in made["lines"] if row["line"]["source"] == "manual")
    url = f"{BASE}/assessments/{made['id']}"
    missing = api.post(f"{url}/fill/", {"line": manual["id"], "value": "3"})
    assert missing.status_code == 400 and "reason" in missing.json()
    assert api.post(f"{url}/fill/", {"line": 2**31 - 1, "value": "3", "reason": "x"}).status_code == 400
    filled = api.post(f"{url}/fill/", {"line": manual["id"], "value": "3", "reason": "月度检查扣分"})
    assert filled.status_code == 200
    line = next(r["line"] for r in filled.json()["lines"] if r["line"]["id"] == manual["id"])
    assert line["value"] == "3.00" and line["score"] == "3.00" and line["reason"] == "月度检查扣分"
    assert api.post(f"{url}/recompute/").status_code == 200
    assert api_as(cast["leader"]).post(f"{url}/confirm/").status_code == 403  # shift leaders do not assess
    api = api_as(cast["supervisor"])  # one client: signing in again
    confirmed = api.post(f"{url}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    refused = api.post(f"{url}/fill/", {"line": manual["id"], "value": "1", "reason": "x"})
    assert refused.status_code == 409 and refused.json()["status"] == "confirmed"
    assert api.post(f"{BASE}/assessments/{made['id'] + 1000}/confirm/").status_code == 404
    assert api.get(f"{BASE}/assessments/{made['id'] + 1000}/").status_code == 404
    workbook = api.get(f"{url}/workbook.xlsx")
    assert workbook.status_code == 200 and workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    listed = api.get(f"{BASE}/assessments/", {"status": "confirmed"}).json()
    assert [a["id"] for a in listed["results"]] == [made["id"]]


@pytest.mark.parametrize("role", ["leader", "finance", "dispatcher"])
def test_only_assessors_read_and_create_assessments(api_as, cast, items, role):
    api = api_as(cast[role])
    assert api.get(f"{BASE}/assessments/").status_code == 403
    month = (TODAY.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    assert api.post(f"{BASE}/assessments/", {"month": month, "company": "x"}).status_code == 403


def test_planted_odd_rows_still_answer(api_as, cast, record, items):
    from django.db import connection

    from evaluation.supervision.assessment import create_assessment

    odd = '\u202e<b>粗</b><script>alert(1)</script> 🧨 =HYPERLINK("x") ' + "长" * 5000
    made = create_assessment(cast["supervisor"], TODAY.replace(day=1) - timedelta(days=1), "采集公司")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE evaluation_inspectionrecord SET description = %s, team = %s, inspected_on = %s WHERE id = %s",
            [odd, odd[:50], "0001-01-01", record.pk],
        )
        cursor.execute("UPDATE evaluation_assessment SET company = %s WHERE id = %s", [odd[:100], made.pk])
        cursor.execute("UPDATE evaluation_assessmentline SET reason = %s WHERE assessment_id = %s", [odd, made.pk])
    api = api_as(cast["supervisor"])
    rows = api.get(f"{BASE}/inspections/").json()["results"]
    assert rows[0]["description"] == odd and rows[0]["inspected_on"] == "0001-01-01"
    assert api.get(f"{BASE}/inspections/{record.pk}/").status_code == 200
    assert api.get(f"{BASE}/assessments/{made.pk}/").json()["company"] == odd[:100]
    assert api.get(f"{BASE}/assessments/{made.pk}/workbook.xlsx").status_code == 200
