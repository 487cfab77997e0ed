"""The collection company's monthly assessment on a small fixture city, every figure computed by hand: the platform
items (person rollups, inspection records, patrol tracks), scoring against the targets, hand-filled lines with
reasons, draft → confirmed with its immutable events, the month-on-month comparison and the workbook's cells."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from tests.fixtures.small_city import CELL, LAT0, LNG0

pytestmark = pytest.mark.django_db

DAY = timezone.localdate() - timedelta(days=1)  # wholly past, within the patrol API's age limit
MONTH = DAY.replace(day=1)
PREVIOUS = (MONTH - timedelta(days=1)).replace(day=1)
INSIDE = (LNG0 + CELL / 2, LAT0 + CELL / 2)  # grid 500120001001001, in the duty grid
OUTSIDE = (LNG0 + 2.5 * CELL, LAT0 + CELL / 2)  # grid 500120002001001, outside it


def at(hour: int, minute: int = 0):
    from grids.patrol.partitions import CHINA

    return datetime.combine(DAY, time(hour, minute), CHINA)


def point(moment, lng, lat) -> dict:
    return {"at": moment.isoformat(), "lat": lat, "lng": lng, "accuracy": 5.0}


@pytest.fixture
def month(base_map, cast):
    """Collector (duty grid = the two 东关 grids) and collector2 in the month of DAY:

    - rollups: collector 8 reports, 6 valid, 6 verifications (5 on time), 3 checks (3 on time); collector2 2
      reports, 2 valid, 4 verifications (4 on time), 1 check (1 on time) → valid 8/10 = 80 %, verification
      9/10 = 90 %, check 4/4 = 100 %;
    - inspections: two 漏报 (one reversed) and one 脱岗 → missed 1 / (10 + 1) = 9.09 %;
    - tracks: shift 08:00–10:00; collector inside 08:00–09:00 each minute, silent 09:00–09:30, outside 09:30–10:00
      → 3600 s of 7200 s = 50 %; collector2 sent nothing that day and is not counted.
    """
    from evaluation.models import PersonDay
    from evaluation.supervision.services import record_inspection, reverse_inspection
    from grids.models import DutyGrid, PatrolShift
    from grids.patrol.services import ingest

    collector, collector2 = cast["collector"], cast["collector2"]
    duty = DutyGrid.objects.create(code="D01", name="东关责任网格")
    duty.unit_grids.set(base_map["grids"][:2])
    duty.collectors.add(collector)
    PatrolShift.objects.create(name="早班", starts=time(8), ends=time(10))
    PersonDay.objects.create(
        day=DAY,
        user_id=collector.pk,
        reports=8,
        valid_reports=6,
        verifications=6,
        verifications_on_time=5,
        checks=3,
        checks_on_time=3,
    )
    PersonDay.objects.create(
        day=DAY,
        user_id=collector2.pk,
        reports=2,
        valid_reports=2,
        verifications=4,
        verifications_on_time=4,
        checks=1,
        checks_on_time=1,
    )
    PersonDay.objects.create(day=PREVIOUS, user_id=collector.pk, reports=50, valid_reports=1)  # another month
    leader = cast["leader"]
    common = {"inspected_on": DAY, "team": "第一督察组", "description": "未上报", "deduction": D("2")}
    record_inspection(leader, collector=collector, kind="missed", **common)
    wrong = record_inspection(leader, collector=collector2, kind="missed", **common)
    reverse_inspection(leader, wrong, "复核不成立")
    record_inspection(leader, collector=collector, kind="absence", **common)
    inside = [point(at(8, m), *INSIDE) for m in range(60)] + [point(at(9), *INSIDE)]
    outside = [point(at(9, 30 + m), *OUTSIDE) for m in range(30)]
    assert ingest(collector, inside + outside)["stored"] == 91
    return cast


def test_platform_values_by_hand(month):
    from evaluation.supervision.figures import platform_values

    assert platform_values(MONTH) == {
        "valid_report_rate": D("80.00"),
        "verify_timeliness": D("90.00"),
        "check_timeliness": D("100.00"),
        "missed_report_rate": D("9.09"),
        "presence_rate": D("50.00"),
    }


def lines(assessment) -> dict:
    return {line.item.code: (line.value, line.score) for line in assessment.lines.select_related("item")}


def test_scores_fill_confirm_and_compare(month):
    from evaluation.supervision import assessment as service
    from evaluation.supervision.models import AssessmentEvent
    from evaluation.supervision.workflow import AssessmentForbidden, AssessmentStateError

    supervisor = month["supervisor"]
    with pytest.raises(PermissionDenied):
        service.create_assessment(month["leader"], MONTH, "璧山城信采集公司")
    before = service.create_assessment(supervisor, PREVIOUS, "璧山城信采集公司")
    assert lines(before)["valid_reports"] == (D("2.00"), D("0.42"))  # 1/50 = 2 % of a 95 % target: 20 × 2/95
    made = service.create_assessment(supervisor, MONTH, "璧山城信采集公司")
    with pytest.raises(ValidationError) as error:
        service.create_assessment(supervisor, MONTH, "璧山城信采集公司")
    assert "month" in error.value.message_dict
    # 20×80/95 = 16.84; 20×(100−9.09)/95 = 19.14; 20×50/90 = 11.11; 10×90/95 = 9.47; 10; manual items empty.
    assert lines(made) == {
        "valid_reports": (D("80.00"), D("16.84")),
        "missed_reports": (D("9.09"), D("19.14")),
        "presence": (D("50.00"), D("11.11")),
        "verify_timeliness": (D("90.00"), D("9.47")),
        "check_timeliness": (D("100.00"), D("10.00")),
        "dress": (None, None),
        "training": (None, None),
    }
    assert made.score == D("66.56")
    line = {line.item.code: line for line in made.lines.select_related("item")}
    with pytest.raises(ValidationError) as error:
        service.fill(made.pk, supervisor, line["dress"].pk, D("9"), "")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        service.fill(made.pk, supervisor, line["dress"].pk, D("11"), "超过权重")
    assert "value" in error.value.message_dict
    with pytest.raises(AssessmentForbidden):
        service.fill(made.pk, month["leader"], line["dress"].pk, D("9"), "x")
    service.fill(made.pk, supervisor, line["dress"].pk, D("9"), "2人未着工装")
    service.fill(made.pk, supervisor, line["training"].pk, D("8"), "1人补考")
    made = service.fill(made.pk, supervisor, line["presence"].pk, D("85"), "9:00–9:30 手机故障，督察组现场确认在岗")
    assert lines(made)["presence"] == (D("85.00"), D("18.89"))
    assert made.score == D("91.34")  # 16.84 + 19.14 + 18.89 + 9.47 + 10 + 9 + 8
    made = service.recompute(made.pk, supervisor)  # a value filled by hand with a reason stays
    assert lines(made)["presence"] == (D("85.00"), D("18.89")) and made.score == D("91.34")
    compared = service.comparison(made)
    assert compared["previous"] == before and compared["change"] == made.score - before.score
    made = service.confirm(made.pk, supervisor)
    assert made.is_confirmed and made.confirmed_at is not None
    with pytest.raises(AssessmentStateError):
        service.fill(made.pk, supervisor, line["dress"].pk, D("10"), "改分")
    with pytest.raises(AssessmentStateError):
        service.recompute(made.pk, supervisor)
    events = list(AssessmentEvent.objects.filter(assessment=made).values_list("action", flat=True))
    assert events == ["create", "fill", "fill", "fill", "recompute", "confirm"]
    confirm = AssessmentEvent.objects.get(assessment=made, action="confirm")
    assert confirm.data["score"] == "91.34" and confirm.to_status == "confirmed"
    with pytest.raises(Exception, match="immutable"):
        confirm.save()


def test_the_workbook_cells(month):
    from evaluation.supervision import assessment as service
    from evaluation.supervision.workbook import workbook

    supervisor = month["supervisor"]
    before = service.create_assessment(supervisor, PREVIOUS, "璧山城信采集公司")
    made = service.create_assessment(supervisor, MONTH, "璧山城信采集公司")
    dress = made.lines.get(item__code="dress")
    service.fill(made.pk, supervisor, dress.pk, D("9"), '=HYPERLINK("http://evil","点此")')
    made.refresh_from_db()
    book = load_workbook(io.BytesIO(workbook(made)))
    sheet = book.worksheets[0]
    assert sheet["A1"].value.endswith("璧山城信采集公司") or "璧山城信采集公司" in sheet["A1"].value
    header = [c.value for c in sheet[3]]
    assert len(header) == 10
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=4)}
    valid = rows["有效上报率"]
    assert valid[2].value == 20 and valid[3].value == pytest.approx(0.95) and valid[3].number_format == "0.00%"
    assert valid[5].value == pytest.approx(0.80) and valid[6].value == pytest.approx(16.84)
    assert valid[7].value == pytest.approx(0.42)  # last month's score
    assert valid[8].value == pytest.approx(16.42)
    reason = rows["着装规范"][9]
    assert reason.value == '=HYPERLINK("http://evil","点此")' and reason.data_type == "s" and reason.quotePrefix
    assert rows["着装规范"][5].value == 9 and rows["着装规范"][6].value == 9
    total = sheet.cell(row=sheet.max_row, column=7).value
    assert total == pytest.approx(float(made.score)) and made.score == D("75.56")
    assert sheet.cell(row=sheet.max_row, column=8).value == pytest.approx(float(before.score))
    assert sheet.print_title_rows == "$3:$3" or sheet.print_title_rows == "3:3"
    inspections = book.worksheets[1]
    kinds = sorted(row[3].value for row in inspections.iter_rows(min_row=4))
    assert len(kinds) == 4  # the two missed, the reversal and the absence
    assert [row[7].value for row in inspections.iter_rows(min_row=4)].count(-2) == 1


def test_the_pages(client, month):
    from evaluation.supervision.models import Assessment

    client.force_login(month["leader"])
    assert client.get("/evaluation/supervision/assessments/").status_code == 403
    client.force_login(month["supervisor"])
    response = client.post("/evaluation/supervision/assessments/", {"month": MONTH.strftime("%Y-%m"), "company": "A"})
    made = Assessment.objects.get(month=MONTH)
    assert response.status_code == 302 and response["Location"] == f"/evaluation/supervision/assessments/{made.pk}/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'data-item="presence"' in page.content.decode()
    dress = made.lines.get(item__code="dress")
    client.post(f"/evaluation/supervision/assessments/{made.pk}/fill/", {"line": dress.pk, "value": "7", "reason": "r"})
    assert made.lines.get(item__code="dress").score == D("7.00")
    client.post(f"/evaluation/supervision/assessments/{made.pk}/confirm/")
    made.refresh_from_db()
    assert made.is_confirmed
    refused = client.post(
        f"/evaluation/supervision/assessments/{made.pk}/fill/", {"line": dress.pk, "value": "9", "reason": "r"}
    )
    assert refused.status_code == 302 and made.lines.get(item__code="dress").score == D("7.00")
    export = client.get(f"/evaluation/supervision/assessments/{made.pk}/workbook.xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(month["leader"])
    assert client.post(f"/evaluation/supervision/assessments/{made.pk}/confirm/").status_code == 403
