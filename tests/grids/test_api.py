"""Base-map API: grid look-up, grids as GeoJSON, components as paginated GeoJSON; who may read them."""

from __future__ import annotations

import pytest

from .conftest import CELL, ORIGIN_LAT, ORIGIN_LNG, centre

pytestmark = pytest.mark.django_db


def test_lookup_answers_grid_and_region_chain(api_as, personas, city):
    lng, lat = centre(0, 1)
    response = api_as(personas["collector"]).get(f"/api/v1/grids/lookup/?lat={lat}&lng={lng}")
    assert response.status_code == 200
    assert response.json() == {
        "grid_id": city["grids"]["500120002001001"].id,
        "grid_code": "500120002001001",
        "grid_name": "南门1号网格",
        "community": {"code": "500120002001", "name": "南门社区"},
        "street": {"code": "500120002", "name": "璧泉街道"},
        "district": {"code": "500120", "name": "璧山区"},
    }


@pytest.mark.parametrize(
    ("query", "field"), [("lat=abc&lng=106.2", "lat"), ("lat=29.6", "lng"), ("lat=29.6&lng=300", "lng")]
)
def test_lookup_bad_numbers_are_400_naming_the_field(api_as, personas, city, query, field):
    response = api_as(personas["operator"]).get(f"/api/v1/grids/lookup/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_lookup_outside_is_404_naming_the_point(api_as, personas, city):
    response = api_as(personas["operator"]).get("/api/v1/grids/lookup/?lat=29.7&lng=106.3")
    assert response.status_code == 404
    assert "106.300000" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/v1/grids/lookup/?lat=29.6&lng=106.2", "/api/v1/grids/", "/api/v1/components/"])
def test_anonymous_is_refused(api_client, path):
    assert api_client.get(path).status_code == 401


@pytest.mark.parametrize("role", ["collector", "operator", "leader", "dispatcher", "handler", "supervisor", "finance"])
def test_every_role_reads_base_data(api_as, personas, city, role):
    client = api_as(personas[role])
    assert client.get("/api/v1/grids/").status_code == 200
    assert client.get("/api/v1/components/").status_code == 200
    assert client.get(f"/api/v1/grids/lookup/?lat={centre(0, 0)[1]}&lng={centre(0, 0)[0]}").status_code == 200


def test_grids_geojson(api_as, personas, city):
    response = api_as(personas["dispatcher"]).get("/api/v1/grids/")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 5  # the retired version is not shown
    feature = body["features"][0]
    assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert set(feature["properties"]) == {"code", "name", "community", "area_m2"}
    assert 30_000 < feature["properties"]["area_m2"] < 50_000  # 0.002° × 0.002° near 29.6° N
    text = response.content.decode()
    assert all(len(part.split(".")[1].rstrip("]},")) <= 6 for part in text.split(",") if part[:4] == "106.")


def test_grids_bbox_and_search(api_as, personas, city):
    client = api_as(personas["dispatcher"])
    box = f"{ORIGIN_LNG + 0.1 * CELL},{ORIGIN_LAT + 0.1 * CELL},{ORIGIN_LNG + 0.9 * CELL},{ORIGIN_LAT + 0.9 * CELL}"
    codes = [f["properties"]["code"] for f in client.get(f"/api/v1/grids/?bbox={box}").json()["features"]]
    assert codes == ["500120001001001"]
    codes = [f["properties"]["code"] for f in client.get("/api/v1/grids/?street=500120002").json()["features"]]
    assert codes == ["500120002001001", "500120002001002"]
    codes = [f["properties"]["code"] for f in client.get("/api/v1/grids/?q=西街").json()["features"]]
    assert codes == ["500120001002001"]


@pytest.mark.parametrize("url", ["/api/v1/grids/?bbox=1,2,3", "/api/v1/components/?bbox=106.3,29,106.1,30"])
def test_bad_bbox_is_400_naming_bbox(api_as, personas, city, url):
    response = api_as(personas["dispatcher"]).get(url)
    assert response.status_code == 400
    assert "bbox" in response.json()


@pytest.fixture
def components(city, make_component):
    grids = city["grids"]
    return [
        make_component(*centre(0, 0), "0101", "intact", grids["500120001001001"]),
        make_component(*centre(1, 0), "0102", "damaged", grids["500120001001002"]),
        make_component(*centre(2, 0), "0101", "lost", grids["500120001002001"]),
        make_component(*centre(2, 1), "0102", "intact", grids["500120002001002"]),
    ]


def test_components_paginated_geojson(api_as, personas, components, django_assert_max_num_queries):
    client = api_as(personas["collector"])
    with django_assert_max_num_queries(4):  # token, count, page (classes and grids joined)
        body = client.get("/api/v1/components/?page_size=3").json()
    assert (body["count"], body["type"], body["previous"]) == (4, "FeatureCollection", None)
    assert "page=2" in body["next"]
    feature = body["features"][0]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [round(v, 6) for v in centre(0, 0)]}
    assert feature["properties"]["identifier"] == components[0].identifier
    assert feature["properties"]["class_code"] == "0101"
    assert feature["properties"]["class_name"] == "上水井盖"
    assert feature["properties"]["grid"] == "500120001001001"
    assert len(client.get(body["next"]).json()["features"]) == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("class_code=0102", [1, 3]),
        ("class_code=0101,0102", [0, 1, 2, 3]),
        ("status=damaged&status=lost", [1, 2]),
        ("grid=500120001002001", [2]),
        (f"bbox={ORIGIN_LNG},{ORIGIN_LAT},{ORIGIN_LNG + 2 * CELL},{ORIGIN_LAT + CELL}", [0, 1]),
        ("q=5001200102", [1, 3]),
    ],
)
def test_component_filters(api_as, personas, components, query, expected):
    body = api_as(personas["collector"]).get(f"/api/v1/components/?{query}").json()
    assert sorted(f["properties"]["identifier"] for f in body["features"]) == sorted(
        components[i].identifier for i in expected
    )


def test_unknown_status_is_400_naming_status(api_as, personas, components):
    response = api_as(personas["collector"]).get("/api/v1/components/?status=broken")
    assert response.status_code == 400
    assert "status" in response.json()


def test_schema_documents_the_base_map_endpoints(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert {"/api/v1/grids/lookup/", "/api/v1/grids/", "/api/v1/components/"} <= set(paths)
