"""The collectors' reports per home department in the monthly bulletin (专职 and the part-timers of 环卫/园林/市政/
执法): the grouped figures, the frozen snapshot, the page and the workbook."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse

from tests.fixtures.casebook import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def crew(cast, make_user, open_case, act):
    """Six collectors of four home departments reporting in March 2026 (accepted or rejected), plus reports that
    must not count: April's, and an operator's."""
    from core.choices import Role
    from evaluation.rollups import bump_version
    from evaluation.supervision.models import CollectorProfile, HomeDepartment

    bump_version()
    people = {
        "full": cast["collector"],  # no profile: full-time
        "full2": cast["collector2"],
        "san": make_user("san", Role.COLLECTOR),
        "san2": make_user("san2", Role.COLLECTOR),
        "law": make_user("law", Role.COLLECTOR),
        "garden": make_user("garden", Role.COLLECTOR),
    }
    CollectorProfile.objects.create(user=people["full2"], home=HomeDepartment.FULL_TIME, started_on=date(2020, 1, 1))
    CollectorProfile.objects.create(user=people["san"], home=HomeDepartment.SANITATION, started_on=date(2025, 7, 1))
    CollectorProfile.objects.create(user=people["san2"], home=HomeDepartment.SANITATION)
    CollectorProfile.objects.create(user=people["law"], home=HomeDepartment.ENFORCEMENT, started_on=date(2026, 3, 1))
    # Starts in April: not on March's roll.
    CollectorProfile.objects.create(user=people["garden"], home=HomeDepartment.GARDENS, started_on=date(2026, 4, 10))
    operator = cast["operator"]

    def report(who, day, accepted: bool, month: int = 3):
        case = open_case(at(day, 9, month=month), reporter=people[who] if who in people else who)
        if accepted:
            act(case, "accept", operator, at(day, 9, 5, month=month))
        else:
            act(case, "reject", operator, at(day, 9, 5, month=month), opinion="不属于城管范围")
        return case

    report("full", 2, True)
    report("full", 3, False)
    for day in (2, 3, 4):
        report("san", day, True)
    report("san2", 5, False)
    report("law", 6, True)
    report("law", 7, True, month=4)  # April: another month
    report(operator, 8, True)  # not a collector
    return people


def _rows(homes: dict) -> dict:
    return {r["home"]: r for r in homes["rows"]}


def test_reports_are_grouped_by_home_department(crew, django_assert_num_queries):
    from evaluation.supervision.figures import reports_by_home

    with django_assert_num_queries(2):  # one grouped query on the rollups, one on the roll
        homes = reports_by_home(date(2026, 3, 1), date(2026, 3, 31))
    rows = _rows(homes)
    assert list(rows) == ["full_time", "sanitation", "gardens", "municipal", "enforcement"]
    assert rows["full_time"]["counts"] == {"collectors": 2, "reporting": 1, "reports": 2, "valid_reports": 1}
    assert rows["full_time"]["valid_report_rate"] == "50.00" and rows["full_time"]["share"] == "28.57"
    assert rows["sanitation"]["counts"] == {"collectors": 2, "reporting": 2, "reports": 4, "valid_reports": 3}
    assert rows["sanitation"]["valid_report_rate"] == "75.00" and rows["sanitation"]["share"] == "57.14"
    assert rows["enforcement"]["counts"] == {"collectors": 1, "reporting": 1, "reports": 1, "valid_reports": 1}
    assert rows["enforcement"]["valid_report_rate"] == "100.00" and rows["enforcement"]["share"] == "14.29"
    assert rows["gardens"]["counts"] == {"collectors": 0, "reporting": 0, "reports": 0, "valid_reports": 0}
    assert rows["gardens"]["valid_report_rate"] is None and rows["municipal"]["share"] == "0.00"
    assert [r["part_time"] for r in homes["rows"]] == [False, True, True, True, True]
    assert homes["total"]["counts"] == {"collectors": 5, "reporting": 4, "reports": 7, "valid_reports": 5}
    assert homes["total"]["valid_report_rate"] == "71.43"
    april = _rows(reports_by_home(date(2026, 4, 1), date(2026, 4, 30)))
    assert april["enforcement"]["counts"]["reports"] == 1 and april["gardens"]["counts"]["collectors"] == 1
    assert april["sanitation"]["counts"]["reports"] == 0


def test_the_bulletin_freezes_the_section_and_shows_it(crew, cast, client):
    from openpyxl import load_workbook

    from evaluation.bulletins.services import create_bulletin, publish
    from evaluation.supervision.figures import reports_by_home
    from evaluation.supervision.models import CollectorProfile, HomeDepartment

    bulletin, _created = create_bulletin(2026, 3)
    homes = bulletin.figures["collector_homes"]
    assert _rows(homes)["sanitation"]["counts"]["reports"] == 4
    publish(bulletin.pk, cast["supervisor"])
    # The enforcement officer moves to municipal works after publication: live figures follow, the bulletin not.
    CollectorProfile.objects.filter(user=crew["law"]).update(home=HomeDepartment.MUNICIPAL)
    live = _rows(reports_by_home(date(2026, 3, 1), date(2026, 3, 31)))
    assert live["municipal"]["counts"]["reports"] == 1 and live["enforcement"]["counts"]["reports"] == 0
    bulletin.refresh_from_db()
    assert bulletin.figures["collector_homes"] == homes

    client.force_login(cast["supervisor"])
    body = client.get(reverse("evaluation:bulletin", args=[bulletin.pk])).content.decode()
    table = body.split('id="collector-homes"')[1].split("</table>")[0]
    assert 'data-home="sanitation"' in table and 'data-home="total"' in table
    sanitation = table.split('data-home="sanitation"')[1].split("</tr>")[0]
    assert "环卫" in sanitation and ">4<" in sanitation and "75.00%" in sanitation

    response = client.get(reverse("evaluation:bulletin_workbook", args=[bulletin.pk]))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["按所属单位"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["环卫"][2:6] == (2, 2, 4, 3) and rows["环卫"][1] == "是"
    assert rows["环卫"][6] == pytest.approx(0.75) and rows["执法"][4] == 1  # frozen: still 执法
    assert rows["合计"][4] == 7 and rows["合计"][6] == pytest.approx(0.7143)


def test_a_bulletin_frozen_before_the_section_still_renders(crew, cast, client):
    from evaluation.bulletins.services import create_bulletin
    from evaluation.models import Bulletin

    bulletin, _created = create_bulletin(2026, 3)
    figures = dict(bulletin.figures)
    figures.pop("collector_homes")
    Bulletin.objects.filter(pk=bulletin.pk).update(figures=figures)
    client.force_login(cast["supervisor"])
    response = client.get(reverse("evaluation:bulletin", args=[bulletin.pk]))
    assert response.status_code == 200 and b'id="collector-homes"' not in response.content
    assert client.get(reverse("evaluation:bulletin_workbook", args=[bulletin.pk])).status_code == 200
