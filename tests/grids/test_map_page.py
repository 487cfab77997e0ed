"""The base-map console page (基础地图): grids drawn per bbox, components from vector tiles, attributes on click."""

from __future__ import annotations

import os
from datetime import date

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.test import Client
from django.urls import reverse

from grids.choices import ClassKind, ComponentStatus, DataSource, RegionLevel

# Three 0.001° × 0.001° grids side by side in Bishan's urban core (about 97 m × 111 m each).
WEST, SOUTH = 106.218, 29.591
CELL = 0.001


def _square(west: float, south: float) -> MultiPolygon:
    east, north = west + CELL, south + CELL
    return MultiPolygon(Polygon(((west, south), (east, south), (east, north), (west, north), (west, south))), srid=4326)


@pytest.fixture
def small_city(department):
    """A region chain, three unit grids and three components: two manhole covers and a damaged street lamp."""
    from grids.models import ClassificationStandard, Component, MajorClass, MinorClass, Region, UnitGrid

    district = Region.objects.create(code="500120", name="璧山区", level=RegionLevel.DISTRICT)
    street = Region.objects.create(code="500120001", name="璧城街道", level=RegionLevel.STREET, parent=district)
    community = Region.objects.create(code="500120001001", name="东林社区", level=RegionLevel.COMMUNITY, parent=street)
    grids = [
        UnitGrid.objects.create(
            code=f"500120001001{n:03d}",
            name=f"东林{n}号网格",
            community=community,
            geometry=_square(WEST + (n - 1) * CELL, SOUTH),
            valid_from=date(2024, 1, 1),
        )
        for n in (1, 2, 3)
    ]
    standard = ClassificationStandard.objects.create(code="map-test", name="测试分类")
    public = MajorClass.objects.create(standard=standard, kind=ClassKind.COMPONENT, code="01", name="市政公用设施")
    traffic = MajorClass.objects.create(standard=standard, kind=ClassKind.COMPONENT, code="02", name="道路交通设施")
    cover = MinorClass.objects.create(
        standard=standard, major=public, kind=ClassKind.COMPONENT, code="01101", name="上水井盖"
    )
    lamp = MinorClass.objects.create(
        standard=standard, major=traffic, kind=ClassKind.COMPONENT, code="02105", name="路灯"
    )

    def component(identifier: str, minor, grid, status: str, **extra) -> Component:
        west, south, east, north = grid.geometry.extent
        point = Point((west + east) / 2, (south + north) / 2, srid=4326)
        return Component.objects.create(
            identifier=identifier,
            minor_class=minor,
            grid=grid,
            status=status,
            geometry=point,
            location=point,
            maintainer=department,
            data_source=DataSource.SURVEYED,
            census_date=date(2024, 3, 1),
            **extra,
        )

    components = [
        component("50012001101000001", cover, grids[0], ComponentStatus.INTACT, name="东林路1号井盖"),
        component(
            "50012002105000001",
            lamp,
            grids[1],
            ComponentStatus.DAMAGED,
            extra={"灯杆高度": "8米", "light_source": "LED"},
        ),
        component("50012001101000002", cover, grids[2], ComponentStatus.INTACT),
    ]
    return {"grids": grids, "components": components, "classes": {"cover": cover, "lamp": lamp}}


# ---- Plain requests ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_user_is_sent_to_login():
    response = Client().get(reverse("grids:map"))

    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=")


@pytest.mark.django_db
def test_every_role_sees_the_map_with_the_class_filter(personas, small_city):
    client = Client()
    for user in personas.values():
        client.force_login(user)
        response = client.get(reverse("grids:map"))
        assert response.status_code == 200, user.role
        config = response.context["map_config"]
        ours = [m for m in config["classes"] if m["standard"] == "测试分类"]
        assert [m["code"] for m in ours] == ["01", "02"]
        assert ours[1]["minors"] == [{"code": "02105", "name": "路灯"}]
        assert {s["value"] for s in config["statuses"]} == set(ComponentStatus.values)


@pytest.mark.django_db
def test_component_attributes_in_one_query(personas, small_city, django_assert_num_queries):
    lamp = small_city["components"][1]
    client = Client()
    client.force_login(personas["dispatcher"])

    # Session, user, the user's and the role's permissions, then the component with everything it names.
    with django_assert_num_queries(5):
        response = client.get(reverse("grids:component_attributes", args=[lamp.pk]))

    assert response.status_code == 200
    data = response.json()
    assert data["identifier"] == "50012002105000001"
    assert (data["class_code"], data["class_name"], data["status"]) == ("02105", "路灯", "damaged")
    values = {row["label"]: row["value"] for row in data["rows"]}
    assert values["灯杆高度"] == "8米"
    assert values["光源"] == "LED" and "light_source" not in values  # a known English key in Chinese
    assert "500120001001002 东林2号网格" in values.values()
    assert "环卫所" in values.values()


@pytest.mark.django_db
def test_component_attributes_of_a_missing_component_is_404(personas):
    client = Client()
    client.force_login(personas["collector"])

    assert client.get(reverse("grids:component_attributes", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_component_attributes_need_login(small_city):
    url = reverse("grids:component_attributes", args=[small_city["components"][0].pk])

    assert Client().get(url).status_code == 302


# ---- In the browser ----------------------------------------------------------------------------------------


def _screen_point(page, lat: float, lng: float) -> tuple[float, float]:
    """Where a map position is on the screen: Leaflet's container point plus the map's offset in the page."""
    return page.evaluate(
        """([lat, lng]) => {
            const p = window.cityMap.latLngToContainerPoint([lat, lng]);
            const box = window.cityMap.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        [lat, lng],
    )


def _centre(grid) -> tuple[float, float]:
    west, south, east, north = grid.geometry.extent
    return (south + north) / 2, (west + east) / 2


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_map_page_shows_grids_and_component_attributes(console_login, live_server, personas, small_city):
    page = console_login(personas["collector"])
    tile_requests: list[str] = []
    page.on("request", lambda r: tile_requests.append(r.url) if "/tiles/components/" in r.url else None)

    page.goto(f"{live_server.url}{reverse('grids:map')}")
    page.wait_for_function("() => window.cityMap && window.cityMapState")
    lat, lng = _centre(small_city["grids"][1])
    page.evaluate("([lat, lng]) => window.cityMap.setView([lat, lng], 17, {animate: false})", [lat, lng])

    # The three grids are drawn as SVG polygons, and hovering one names it.
    page.wait_for_function("() => window.cityMapState.gridsLoaded === 3")
    assert page.locator("#citymap .leaflet-overlay-pane path.leaflet-interactive").count() == 3
    x, y = _screen_point(page, small_city["grids"][0].geometry.extent[1] + 0.0002, WEST + 0.0002)
    page.mouse.move(x, y)
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert "500120001001001" in tooltip.inner_text()
    assert "东林1号网格" in tooltip.inner_text()

    # Components arrive as vector tiles; clicking the street lamp shows its attributes.
    page.wait_for_function("() => window.cityMapState.renderedComponents() === 3")
    lamp = small_city["components"][1]
    x, y = _screen_point(page, lamp.location.y, lamp.location.x)
    page.mouse.click(x, y)
    panel = page.locator("#component-panel")
    panel.wait_for(state="visible")
    page.wait_for_function("() => document.querySelectorAll('#component-attrs tr').length > 5")
    assert "50012002105000001" in panel.inner_text()
    assert "路灯" in panel.inner_text()
    assert "8米" in panel.inner_text()
    if os.environ.get("MAP_SCREENSHOT"):
        page.screenshot(path=os.environ["MAP_SCREENSHOT"])

    # Unticking "damaged" asks the server for the other statuses only, and the lamp is gone from the map.
    page.locator("#map-filters input[name=status][value=damaged]").uncheck()
    page.wait_for_function("() => window.cityMapState.renderedComponents() === 2")
    assert panel.is_hidden()
    assert any("status=" in url and "damaged" not in url.split("status=")[1] for url in tile_requests)
    page.mouse.click(x, y)
    page.wait_for_timeout(300)
    assert panel.is_hidden()

    # A class filter keeps only manhole covers: the lamp stays hidden even with every status ticked again.
    page.locator("#map-filters input[name=status][value=damaged]").check()
    page.select_option("#filter-minor", "01101")
    page.wait_for_function("() => window.cityMapState.renderedComponents() === 2")
    cover = small_city["components"][0]
    x, y = _screen_point(page, cover.location.y, cover.location.x)
    page.mouse.click(x, y)
    panel.wait_for(state="visible")
    page.wait_for_function("() => document.querySelector('#component-title').textContent.includes('50012001101000001')")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_low_zoom_shows_grids_then_clusters_that_zoom_in(console_login, live_server, personas, small_city):
    page = console_login(personas["finance"])
    tile_requests: list[str] = []
    page.on("request", lambda r: tile_requests.append(r.url) if "/tiles/components/" in r.url else None)

    page.goto(f"{live_server.url}{reverse('grids:map')}")
    page.wait_for_function("() => window.cityMap && window.cityMapState")
    lat, lng = _centre(small_city["grids"][1])
    page.evaluate("([lat, lng]) => window.cityMap.setView([lat, lng], 13, {animate: false})", [lat, lng])

    # Below zoom 14: grids only, and a hint instead of component tiles.
    page.wait_for_function("() => window.cityMapState.gridsLoaded === 3")
    page.wait_for_timeout(300)
    assert tile_requests == []
    assert page.locator("#map-hint").inner_text().strip() != ""

    # At zoom 15 the tiles carry clusters; clicking one zooms in to full detail instead of opening the panel.
    page.evaluate("([lat, lng]) => window.cityMap.setView([lat, lng], 15, {animate: false})", [lat, lng])
    page.wait_for_function("() => window.cityMapState.renderedComponents() === 3")
    assert tile_requests and all("/15/" in url for url in tile_requests)
    x, y = _screen_point(page, lat, lng)
    page.mouse.click(x, y)
    page.wait_for_function("() => window.cityMap.getZoom() === 16")
    assert page.locator("#component-panel").is_hidden()
