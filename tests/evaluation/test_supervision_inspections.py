"""Inspection records (督察记录): who may write them, what is checked, that they stay as written (reversal, an
administrator's audited correction), and that their evidence photos are served only to those who may see them."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production(settings, tmp_path):
    settings.DEBUG = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILES_X_ACCEL_REDIRECT_PREFIX = ""


def jpeg(name: str = "evidence.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (40, 80, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def record(actor, collector, **overrides):
    from evaluation.supervision.services import record_inspection

    values = {
        "inspected_on": timezone.localdate(),
        "team": "第一督察组",
        "collector": collector,
        "kind": "missed",
        "grid_code": "500120001001001",
        "description": "东关路暴露垃圾未上报",
        "deduction": Decimal("2.00"),
        **overrides,
    }
    return record_inspection(actor, **values)


def test_a_shift_leader_records_an_inspection_with_photos(cast):
    record_ = record(cast["leader"], cast["collector"], photos=[jpeg("a.jpg"), jpeg("b.jpg")])
    assert record_.inspector == cast["leader"] and record_.created_by == cast["leader"]
    assert record_.deduction == Decimal("2.00")
    photos = list(record_.photos.all())
    assert len(photos) == 2
    assert all(p.image.name.startswith("inspections/") and p.content_type == "image/jpeg" for p in photos)


@pytest.mark.parametrize("role", ["collector", "dispatcher", "handler", "finance"])
def test_other_roles_may_not_record(cast, role):
    with pytest.raises(PermissionDenied):
        record(cast[role], cast["collector"])


def test_a_supervisor_may_record(cast):
    assert record(cast["supervisor"], cast["collector2"]).collector == cast["collector2"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"deduction": Decimal("-1")}, "deduction"),
        ({"description": "  "}, "description"),
        ({"kind": "bogus"}, "kind"),
        ({"grid_code": "东关"}, "grid_code"),
        ({"team": ""}, "team"),
        ({"inspected_on": date.today() + timedelta(days=3)}, "inspected_on"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(cast, overrides, field):
    from evaluation.models import InspectionPhoto, InspectionRecord

    with pytest.raises(ValidationError) as error:
        record(cast["leader"], cast["collector"], photos=[jpeg()], **overrides)
    assert field in error.value.message_dict
    assert not InspectionRecord.objects.exists() and not InspectionPhoto.objects.exists()


def test_the_inspected_must_be_a_collector(cast):
    with pytest.raises(ValidationError) as error:
        record(cast["leader"], cast["operator"])
    assert "collector" in error.value.message_dict


def test_a_photo_that_is_not_an_image_is_refused(cast):
    fake = SimpleUploadedFile("x.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        record(cast["leader"], cast["collector"], photos=[fake])
    assert "photos" in error.value.message_dict


def test_only_false_or_duplicate_reports_link_a_case_of_that_collector(cast, report):
    case = report()
    with pytest.raises(ValidationError) as error:
        record(cast["leader"], cast["collector"], kind="missed", case=case)
    assert "case" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record(cast["leader"], cast["collector2"], kind="false", case=case)
    assert "case" in error.value.message_dict
    assert record(cast["leader"], cast["collector"], kind="duplicate", case=case).case == case


def test_a_record_is_final_and_reversed_by_a_new_one(cast):
    from evaluation.supervision.models import FinalRecordError, InspectionRecord
    from evaluation.supervision.services import reverse_inspection

    original = record(cast["leader"], cast["collector"])
    original.deduction = Decimal("0")
    with pytest.raises(FinalRecordError):
        original.save()
    with pytest.raises(FinalRecordError):
        original.delete()
    with pytest.raises(ValidationError):
        reverse_inspection(cast["supervisor"], original, "")
    reversal = reverse_inspection(cast["supervisor"], original, "复核：该处已由市民上报前巡查到")
    assert reversal.reverses == original and reversal.deduction == Decimal("-2.00")
    with pytest.raises(ValidationError):
        reverse_inspection(cast["supervisor"], original, "again")
    with pytest.raises(ValidationError):
        reverse_inspection(cast["supervisor"], reversal, "a reversal of a reversal")
    total = sum(InspectionRecord.objects.filter(collector=cast["collector"]).values_list("deduction", flat=True))
    assert total == Decimal("0")


def test_only_an_administrator_corrects_with_a_reason_and_it_is_audited(cast):
    from core.models import AuditEntry
    from evaluation.supervision.services import correct_inspection

    original = record(cast["leader"], cast["collector"])
    with pytest.raises(PermissionDenied):
        correct_inspection(cast["supervisor"], original, "typo", deduction=Decimal("1"))
    with pytest.raises(ValidationError):
        correct_inspection(cast["admin"], original, " ", deduction=Decimal("1"))
    with pytest.raises(ValidationError):
        correct_inspection(cast["admin"], original, "typo", collector=cast["collector2"])
    corrected = correct_inspection(cast["admin"], original, "录入错误：应扣1分", deduction=Decimal("1"))
    corrected.refresh_from_db()
    assert corrected.deduction == Decimal("1.00")
    correction = corrected.corrections.get()
    assert correction.actor == cast["admin"] and correction.reason == "录入错误：应扣1分"
    assert correction.data == {"before": {"deduction": "2.00"}, "after": {"deduction": "1.00"}}
    entry = AuditEntry.objects.get(action="inspection.correct")
    assert entry.actor == cast["admin"] and entry.object_id == str(original.pk)


def test_photos_are_served_to_inspectors_and_the_inspected_only(client, cast):
    record_ = record(cast["leader"], cast["collector"], photos=[jpeg()])
    url = record_.photos.get().image.url
    assert url.startswith("/files/inspections/")
    for allowed in ("leader", "supervisor", "collector"):
        client.force_login(cast[allowed])
        response = client.get(url)
        assert response.status_code == 200, allowed
        assert response["Content-Type"] == "image/jpeg"
    for refused in ("collector2", "dispatcher", "handler"):
        client.force_login(cast[refused])
        assert client.get(url).status_code == 404, refused
    client.logout()
    assert client.get(url, HTTP_ACCEPT="application/json").status_code == 401


def test_the_console_form_saves_a_record_with_a_photo(client, cast):
    from evaluation.models import InspectionRecord

    client.force_login(cast["leader"])
    assert client.get("/evaluation/supervision/inspections/new/").status_code == 200
    response = client.post(
        "/evaluation/supervision/inspections/new/",
        {
            "inspected_on": timezone.localdate().isoformat(),
            "team": "第二督察组",
            "collector": cast["collector"].pk,
            "kind": "absence",
            "grid_code": "",
            "case_no": "",
            "description": "14:00-15:00 不在责任网格",
            "deduction": "3",
            "photos": [jpeg()],
        },
    )
    saved = InspectionRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/evaluation/supervision/inspections/{saved.pk}/"
    assert saved.kind == "absence" and saved.team == "第二督察组" and saved.photos.count() == 1
    page = client.get(response["Location"])
    assert page.status_code == 200 and saved.photos.get().image.url in page.content.decode()


def test_the_console_form_answers_400_naming_the_field(client, cast):
    from evaluation.models import InspectionRecord

    client.force_login(cast["leader"])
    response = client.post(
        "/evaluation/supervision/inspections/new/",
        {
            "inspected_on": "2026-01-01",
            "team": "第一督察组",
            "collector": cast["collector"].pk,
            "kind": "false",
            "case_no": "NOPE",
            "description": "x",
            "deduction": "1",
        },
    )
    assert response.status_code == 400
    assert "case_no" in response.context["form"].errors
    assert not InspectionRecord.objects.exists()


def test_pages_need_the_permission(client, cast):
    record_ = record(cast["leader"], cast["collector"])
    client.force_login(cast["dispatcher"])
    assert client.get("/evaluation/supervision/inspections/").status_code == 403
    assert client.get("/evaluation/supervision/inspections/new/").status_code == 403
    assert client.get(f"/evaluation/supervision/inspections/{record_.pk}/").status_code == 404
    client.force_login(cast["collector"])  # sees the records about themselves, read only
    assert client.get(f"/evaluation/supervision/inspections/{record_.pk}/").status_code == 200
    assert client.get("/evaluation/supervision/inspections/new/").status_code == 403
    client.force_login(cast["collector2"])
    assert client.get(f"/evaluation/supervision/inspections/{record_.pk}/").status_code == 404


def test_an_administrator_corrects_through_the_page(client, cast):
    original = record(cast["leader"], cast["collector"])
    url = f"/evaluation/supervision/inspections/{original.pk}/correct/"
    body = {"kind": "missed", "grid_code": "500120001001001", "description": original.description, "deduction": "1"}
    client.force_login(cast["supervisor"])
    assert 'id="correct-form"' not in client.get(f"/evaluation/supervision/inspections/{original.pk}/").content.decode()
    assert client.post(url, {**body, "reason": "录入错误"}).status_code == 403
    client.force_login(cast["admin"])
    assert 'id="correct-form"' in client.get(f"/evaluation/supervision/inspections/{original.pk}/").content.decode()
    assert client.post(url, {**body, "reason": ""}).status_code == 302
    original.refresh_from_db()
    assert original.deduction == Decimal("2.00") and not original.corrections.exists()
    assert client.post(url, {**body, "reason": "录入错误：应扣1分"}).status_code == 302
    original.refresh_from_db()
    assert original.deduction == Decimal("1.00")
    assert original.corrections.get().data == {"before": {"deduction": "2.00"}, "after": {"deduction": "1.00"}}
