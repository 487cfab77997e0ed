"""An inspection record in a real browser: a shift leader fills the form with an evidence photo, lands on the
record and sees the photo, served through the protected files route, with no CSP violation or script error."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from PIL import Image

from tests.browser_checks import inline_code, violations, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_an_inspection_with_a_photo(page, live_server, console_login, cast, settings, tmp_path):
    from evaluation.models import InspectionRecord

    settings.MEDIA_ROOT = tmp_path / "media"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 120, 60)).save(buffer, "JPEG")
    problems = watch(page)
    console_login(cast["leader"])
    page.goto(f"{live_server.url}/evaluation/supervision/inspections/")
    page.click("#new-inspection")
    page.fill("#id_inspected_on", timezone.localdate().isoformat())
    page.fill("#id_team", "第二督察组")
    page.select_option("#id_collector", str(cast["collector"].pk))
    page.select_option("#id_kind", "missed")
    page.fill("#id_grid_code", "500120001001001")
    page.fill("#id_description", "东关路12号暴露垃圾未上报")
    page.fill("#id_deduction", "2")
    page.set_input_files(
        "#id_photos", files=[{"name": "evidence.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}]
    )
    page.click("#inspection-form button[type=submit]")
    page.wait_for_selector("#inspection")
    record = InspectionRecord.objects.get()
    assert page.url == f"{live_server.url}/evaluation/supervision/inspections/{record.pk}/"
    assert record.team == "第二督察组" and record.inspector == cast["leader"] and record.photos.count() == 1
    assert page.locator("#kind").inner_text() == "漏报"
    image = page.locator("#photos img")
    assert image.count() == 1
    page.wait_for_function("() => document.querySelector('#photos img').naturalWidth === 320")
    assert image.get_attribute("src").startswith("/files/inspections/")
    assert problems == [] and violations(page) == [] and inline_code(page) == []
