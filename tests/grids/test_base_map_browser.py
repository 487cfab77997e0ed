"""The base map in the browser: the map console, the case map (with the unit-grid outlines) and the admin's geometry
editor all draw the city's own vector tiles through static/core/base_map.js, without a CSP violation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser_checks import violations, watch

from .test_base_map import layers  # noqa: F401  (the fixture: a small piece of city with every layer)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _base_tiles(page) -> list:
    """Collects the answers to base-tile requests as (status, body length)."""
    seen: list = []

    def on_response(response):
        if "/tiles/base/" in response.url:
            seen.append((response.status, int(response.headers.get("content-length") or 0)))

    page.on("response", on_response)
    return seen


def _drawn(page, map_expression: str, lng: float, lat: float, zoom: int = 16) -> dict:
    page.wait_for_function(f"() => {map_expression} && window.cityBaseMaps && window.cityBaseMaps.length")
    page.evaluate(f"() => {map_expression}.setView([{lat}, {lng}], {zoom}, {{animate: false}})")
    page.wait_for_function("() => (window.cityBaseMaps[0].state.features.buildings || 0) > 0")
    return page.evaluate("() => window.cityBaseMaps[0].state")


def test_map_console_draws_the_base_map_with_its_labels(console_login, live_server, personas, layers):  # noqa: F811
    page = console_login(personas["collector"])
    problems = watch(page)
    tiles = _base_tiles(page)
    page.goto(f"{live_server.url}{reverse('grids:map')}")
    state = _drawn(page, "window.cityMap", *layers)
    assert state["features"]["roads"] >= 2 and state["features"]["green"] >= 1 and state["features"]["water"] >= 1
    assert not state["dark"]
    assert any(status == 200 and size > 0 for status, size in tiles)
    assert all(status == 200 for status, _size in tiles)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.citybase-label')].some(e => e.textContent === '东关社区')"
    )
    names = page.eval_on_selector_all(".citybase-road", "els => els.map(e => e.textContent)")
    assert "璧泉路" in names
    # The console draws its own grid GeoJSON with tooltips: the base map's grid outlines stay off there.
    assert page.evaluate("() => Array.isArray(window.cityBaseMaps[0].layer.options.vectorTileLayerStyles.grids)")
    background = page.evaluate("() => getComputedStyle(window.cityMap.getContainer()).backgroundColor")
    assert background == "rgb(241, 239, 233)"
    assert problems == [] and violations(page) == []


def test_case_map_draws_the_base_map_with_the_grid_outlines(console_login, live_server, personas, layers):  # noqa: F811
    page = console_login(personas["dispatcher"])
    problems = watch(page)
    tiles = _base_tiles(page)
    page.goto(f"{live_server.url}{reverse('cases:map')}")
    state = _drawn(page, "window.casesMap", *layers)
    assert state["features"]["grids"] >= 3  # the unit-grid outlines came with the tiles…
    grid_style = page.evaluate("() => window.cityBaseMaps[0].layer.options.vectorTileLayerStyles.grids")
    assert grid_style["color"] == "#0b5cad" and grid_style["fill"] is False  # …and are drawn
    assert any(status == 200 and size > 0 for status, size in tiles)
    assert page.evaluate("() => window.casesMap.cityBase === window.cityBaseMaps[0]")
    assert problems == [] and violations(page) == []


def test_admin_geometry_editor_draws_the_base_map(page, live_server, personas, layers):  # noqa: F811
    from grids.models import UnitGrid

    admin = personas["admin"]
    admin.is_staff = True
    admin.save()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", admin.username)
    from tests.conftest import PASSWORD

    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    grid = UnitGrid.objects.filter(valid_to__isnull=True).first()
    problems = watch(page)
    tiles = _base_tiles(page)
    page.goto(f"{live_server.url}/admin/grids/unitgrid/{grid.pk}/change/")
    page.wait_for_function("() => window.cityBaseMaps && window.cityBaseMaps.length === 1")
    page.wait_for_function("() => window.cityBaseMaps[0].state.tiles > 0")
    assert any(status == 200 for status, _size in tiles)
    assert page.evaluate("() => !Array.isArray(window.cityBaseMaps[0].layer.options.vectorTileLayerStyles.grids)")
    assert problems == [] and violations(page) == []
