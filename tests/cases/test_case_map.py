"""案件地图: the map endpoint shows the open cases a user may see inside the view; the console page draws them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.services import perform
from tests.fixtures.small_city import INSIDE


def _dispatched(new_case, cast, wf_class, department):
    case = new_case()
    perform(case.pk, "accept", cast["operator"])
    perform(case.pk, "register", cast["leader"], condition=wf_class["condition"].pk)
    return perform(case.pk, "dispatch", cast["dispatcher"], department=department.pk)


def _numbers(response) -> set[str]:
    return {f["properties"]["case_no"] for f in response.json()["features"]}


@pytest.mark.django_db
def test_the_map_shows_only_what_the_user_may_see(new_case, cast, wf_class, department, other_department, api_as):
    ours = _dispatched(new_case, cast, wf_class, department)
    theirs = _dispatched(new_case, cast, wf_class, other_department)
    closed = new_case()
    perform(closed.pk, "reject", cast["operator"], opinion="不属于城管")
    around = f"{INSIDE[0] - 0.01},{INSIDE[1] - 0.01},{INSIDE[0] + 0.01},{INSIDE[1] + 0.01}"
    elsewhere = "100.0,20.0,100.1,20.1"

    handler = api_as(cast["handler"]).get("/api/v1/cases/map/", {"bbox": around})
    assert handler.status_code == 200 and _numbers(handler) == {ours.case_no}
    feature = handler.json()["features"][0]
    assert feature["geometry"]["coordinates"] == pytest.approx(list(INSIDE))
    assert feature["properties"]["light"] == "green" and feature["properties"]["url"].endswith(f"/cases/{ours.pk}/")

    centre = api_as(cast["dispatcher"])
    assert _numbers(centre.get("/api/v1/cases/map/", {"bbox": around})) == {ours.case_no, theirs.case_no}
    assert _numbers(centre.get("/api/v1/cases/map/", {"bbox": elsewhere})) == set()
    assert _numbers(centre.get("/api/v1/cases/map/", {"bbox": around, "status": "rejected"})) == {closed.case_no}
    bad = centre.get("/api/v1/cases/map/", {"bbox": "1,2,3"})
    assert bad.status_code == 400 and "bbox" in bad.json()
    assert api_as(cast["finance"]).get("/api/v1/cases/map/").status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_console_map_draws_the_departments_cases(
    page, live_server, console_login, new_case, cast, wf_class, department, other_department
):
    ours = _dispatched(new_case, cast, wf_class, department)
    _dispatched(new_case, cast, wf_class, other_department)
    console_login(cast["handler"])
    page.goto(f"{live_server.url}{reverse('cases:console')}")
    page.click("#map-link")
    page.wait_for_function("() => window.casesMapState && window.casesMapState.loads > 0")
    page.evaluate(f"() => window.casesMap.setView([{INSIDE[1]}, {INSIDE[0]}], 16)")
    page.wait_for_function("() => window.casesMapState.loads > 1")
    assert page.evaluate("() => window.casesMapState.shown") == 1
    page.locator("#casesmap path.leaflet-interactive").first.click(force=True)
    link = page.locator(".leaflet-popup-content a")
    assert link.get_attribute("href") == reverse("cases:detail", args=[ours.pk])
    assert ours.case_no in page.locator(".leaflet-popup-content").inner_text()
