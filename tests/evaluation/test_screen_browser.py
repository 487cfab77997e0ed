"""The big screen in Chromium at 1920×1080, opened with a kiosk key: a report made during the test appears on the
map without a reload (and flashes); a revoked key stops it at the next poll. And the heat layer of the console map."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.hotspots import aggregation
from evaluation.screen import keys
from tests.browser_checks import close_context, violations, watch
from tests.fixtures.small_city import INSIDE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def wall(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.set_default_timeout(20000)
    yield page
    close_context(context, live_server)


def test_kiosk_screen_shows_a_new_report_without_reload_and_stops_when_revoked(
    wall, live_server, personas, report, new_case
):
    new_case()  # one open case already there
    key, token = keys.create_key("指挥大厅", personas["admin"])
    problems = watch(wall)
    wall.goto(f"{live_server.url}{reverse('screen:kiosk', args=[token])}")
    wall.wait_for_function("() => window.screenState && window.screenState.polls >= 1")
    wall.evaluate("() => { window.__sameDocument = true; }")
    assert wall.evaluate("() => window.screenState.caseIds.length") == 1
    wall.wait_for_function("() => window.screenState.gridsLoaded === 3")
    # The city's base map under it, through the key's own base-tile address (no login): the grid outlines layer.
    wall.wait_for_function("() => window.screenState.baseMap && window.screenState.baseMap.state.tiles > 0")
    assert wall.evaluate("() => window.screenState.baseMap.state.features.grids") > 0
    # ECharts drew its panels (canvas), the funnel names the seven stages.
    assert wall.locator("#chart-funnel canvas").count() == 1
    assert wall.locator("#chart-trend canvas").count() == 1

    case = report()  # through the intake service, as a collector's app would
    wall.wait_for_function(f"() => window.screenState.caseIds.includes({case.pk})", timeout=15000)
    assert wall.evaluate("() => window.__sameDocument") is True  # no reload
    assert wall.evaluate("() => window.screenState.full") is False  # it came as a change, not the whole layer
    assert case.pk in wall.evaluate("() => window.screenState.flashed")
    assert wall.locator("path.sc-case.flash").count() == 1
    assert wall.locator("path.sc-case").count() == 2
    assert wall.locator("#intake-total").inner_text() == "2"
    if os.environ.get("SCREEN_SCREENSHOT"):
        wall.screenshot(path=os.environ["SCREEN_SCREENSHOT"])

    keys.revoke_key(key.pk, personas["admin"])
    wall.wait_for_function("() => window.screenState.stopped === true", timeout=15000)
    assert wall.evaluate("() => window.screenState.lastError") == 403
    assert wall.locator("#sc-overlay").is_visible()
    assert "吊销" in wall.locator("#sc-overlay").inner_text()
    assert violations(wall) == []
    assert [p for p in problems if "403" not in p] == []  # the refused poll itself is logged by the browser


def test_heat_layer_toggled_on_the_console_map(console_login, live_server, personas, new_case):
    today = timezone.now()
    for days in (0, 1, 2):
        new_case(at=today - timedelta(days=days))
    aggregation.rebuild()
    page = console_login(personas["dispatcher"])
    problems = watch(page)
    answers: list[tuple[str, int]] = []
    page.on("response", lambda r: answers.append((r.url, r.status)) if "/tiles/heat/" in r.url else None)
    page.goto(f"{live_server.url}{reverse('grids:map')}")
    page.wait_for_function("() => window.cityMap && window.cityMapState")
    page.evaluate("([lat, lng]) => window.cityMap.setView([lat, lng], 15, {animate: false})", [INSIDE[1], INSIDE[0]])
    assert answers == []  # off until asked for
    page.check("#heat-toggle")
    page.wait_for_function("() => window.cityMapState.layers.heat && !window.cityMapState.layers.heat._loading")
    page.wait_for_timeout(500)
    assert answers and all(status == 200 for _url, status in answers)
    # The cell holding the three cases is drawn (an SVG path of the heat pane).
    page.wait_for_function("() => document.querySelectorAll('.leaflet-heat-pane path').length >= 1")
    page.uncheck("#heat-toggle")
    page.wait_for_function("() => document.querySelectorAll('.leaflet-heat-pane path').length === 0")
    assert violations(page) == [] and problems == []


def test_console_map_has_no_heat_toggle_for_a_department(console_login, live_server, personas):
    page = console_login(personas["handler"])
    page.goto(f"{live_server.url}{reverse('grids:map')}")
    page.wait_for_function("() => window.cityMap")
    assert page.locator("#heat-toggle").count() == 0
