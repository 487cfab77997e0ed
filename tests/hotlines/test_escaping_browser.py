"""Text from the database is shown as text on every map: a grid, class, case or camera named like an HTML
element is drawn literally in tooltips and popups and nothing in it runs (with or without the CSP's help)."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point

from tests.browser_checks import violations, watch
from tests.fixtures.small_city import INSIDE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVIL = '<img src=x onerror="window.__xss=1">'

_OPEN_TOOLTIPS = """(map) => { let n = 0; map.eachLayer(l => {
  if (l.getTooltip && l.getTooltip()) {
    l.openTooltip(l.getLatLng ? l.getLatLng() : l.getBounds().getCenter()); n++;
  }
}); return n; }"""
_OPEN_POPUPS = """(map) => { let n = 0; map.eachLayer(l => {
  if (l.getPopup && l.getPopup() && l.getLatLng) { l.openPopup(); n++; }
}); return n; }"""


@pytest.fixture
def evil_city(base_map, report, garbage_class, cast, department):
    from cases.models import Case
    from grids.models import MinorClass
    from hotlines.models import Camera

    grid = base_map["grids"][0]
    grid.name = EVIL
    grid.save()
    MinorClass.objects.filter(pk=garbage_class["class"].pk).update(name=EVIL)
    case = report(description=EVIL, address=EVIL)
    Case.objects.filter(pk=case.pk).update(department=department)
    Camera.objects.create(code="CAM-X", name=EVIL, location=Point(*INSIDE, srid=4326), address=EVIL)
    return case


def _assert_literal(page, selector: str) -> None:
    texts = page.locator(selector).all_inner_texts()
    assert any(EVIL in text for text in texts), texts
    assert page.locator(f"{selector} img").count() == 0
    assert page.evaluate("() => window.__xss") is None


def test_case_detail_map_tooltips_show_the_grid_name_as_text(page, console_login, cast, evil_city, live_server):
    problems = watch(page)
    console_login(cast["admin"])
    page.goto(f"{live_server.url}/cases/{evil_city.pk}/")
    page.wait_for_function("() => window.caseMapState && window.caseMapState.grid")
    assert page.evaluate(f"() => ({_OPEN_TOOLTIPS})(window.caseMap)") >= 2
    _assert_literal(page, ".leaflet-tooltip")
    assert EVIL in page.locator("main").inner_text()  # the description, escaped by the template
    assert violations(page) == [] and problems == []


def test_base_map_grid_tooltip_shows_the_name_as_text(page, console_login, cast, evil_city, live_server):
    problems = watch(page)
    console_login(cast["admin"])
    page.goto(f"{live_server.url}/map/")
    page.wait_for_function("() => window.cityMap && window.cityMapState")
    page.evaluate("([lat, lng]) => window.cityMap.setView([lat, lng], 17, {animate: false})", [INSIDE[1], INSIDE[0]])
    page.wait_for_function("() => window.cityMapState.gridsLoaded > 0")
    assert page.evaluate(f"() => ({_OPEN_TOOLTIPS})(window.cityMap)") >= 1
    _assert_literal(page, ".leaflet-tooltip")
    assert violations(page) == [] and problems == []


def test_case_map_popup_and_camera_popup_show_text(page, console_login, cast, evil_city, live_server):
    problems = watch(page)
    console_login(cast["admin"])
    page.goto(f"{live_server.url}/cases/map/")
    page.wait_for_function("() => window.casesMapState && window.casesMapState.loads > 0")
    page.evaluate(f"() => window.casesMap.setView([{INSIDE[1]}, {INSIDE[0]}], 16)")
    page.wait_for_function("() => window.casesMapState.loads > 1 && window.casesMapState.shown > 0")
    assert page.evaluate(f"() => ({_OPEN_POPUPS})(window.casesMap)") >= 1
    assert page.locator(".leaflet-popup-content img").count() == 0
    assert page.evaluate("() => window.__xss") is None

    page.goto(f"{live_server.url}/hotlines/channels/cameras/")
    page.wait_for_function("() => window.cameraMapState && window.cameraMapState.markers > 0")
    page.evaluate(
        "() => { const m = []; document.querySelectorAll('.leaflet-interactive').forEach(e => m.push(e));"
        " m[0].dispatchEvent(new MouseEvent('click', {bubbles: true})); }"
    )
    page.wait_for_selector(".leaflet-popup-content")
    _assert_literal(page, ".leaflet-popup-content")
    assert EVIL in page.locator("main").inner_text()
    assert violations(page) == [] and problems == []
