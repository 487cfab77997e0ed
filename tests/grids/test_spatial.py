"""Spatial services: point → grid chain, the in-memory index against the database, nearness, bbox, re-gridding,
and the code validators."""

from __future__ import annotations

import math
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from grids import spatial
from grids.spatial import InvalidCoordinates, OutsideManagedArea, locate_many, locate_point
from grids.validators import validate_component_identifier, validate_grid_code

from .conftest import CELL, ORIGIN_LAT, ORIGIN_LNG, centre

pytestmark = pytest.mark.django_db

METRES_PER_DEGREE_LAT = 110_850  # near 29.6° N; only for placing test points


def test_point_resolves_to_grid_and_the_whole_region_chain(city):
    found = locate_point(*centre(2, 0))
    assert found == spatial.GridLocation(
        grid_id=city["grids"]["500120001002001"].id,
        grid_code="500120001002001",
        grid_name="西街1号网格",
        community_code="500120001002",
        community_name="西街社区",
        street_code="500120001",
        street_name="璧城街道",
        district_code="500120",
        district_name="璧山区",
    )


def test_point_in_the_wide_grid_of_another_street(city):
    assert locate_point(*centre(2, 1)).grid_code == "500120002001002"
    assert locate_point(*centre(2, 1)).street_code == "500120002"


def test_point_on_a_shared_edge_goes_to_the_lower_code(city):
    edge = (ORIGIN_LNG + CELL, ORIGIN_LAT + CELL / 2)  # between A001 and A002
    assert locate_point(*edge).grid_code == "500120001001001"


def test_point_outside_is_a_clear_error_naming_it(city):
    with pytest.raises(OutsideManagedArea) as caught:
        locate_point(106.3, 29.7)
    assert isinstance(caught.value, ValueError)
    assert "106.300000" in str(caught.value) and "29.700000" in str(caught.value)
    # The corner of the L: east of B001, south of C002.
    with pytest.raises(OutsideManagedArea):
        locate_point(*centre(3, 0))


@pytest.mark.parametrize(
    ("lng", "lat", "named"),
    [
        (float("nan"), 29.6, "lng"),
        (106.2, float("inf"), "lat"),
        (181, 29.6, "lng"),
        (106.2, -91, "lat"),
        ("x", 1, "lng"),
    ],
)
def test_bad_coordinates_are_refused_by_name(city, lng, lat, named):
    with pytest.raises(InvalidCoordinates, match=named):
        locate_point(lng, lat)


def test_a_past_date_finds_the_grid_valid_then(city):
    past = locate_point(*centre(1, 0), at=date(2023, 6, 1))
    assert (past.grid_code, past.grid_name) == ("500120001001001", "东关旧网格")
    assert locate_point(*centre(1, 0)).grid_code == "500120001001002"
    with pytest.raises(OutsideManagedArea):
        locate_point(*centre(2, 0), at=date(2023, 6, 1))  # B001 did not exist yet


def test_memory_index_agrees_with_the_database_everywhere(city):
    index = spatial._load_index(date.today())
    assert index.size == 5
    checked = 0
    for i in range(-2, 4 * 8 + 3):
        for j in range(-2, 2 * 8 + 3):
            x, y = ORIGIN_LNG + i * CELL / 8, ORIGIN_LAT + j * CELL / 8  # includes every edge and corner
            assert index.find(x, y) == spatial._locate_in_database(x, y, date.today()), (x, y)
            checked += 1
    assert checked > 500


def test_memory_index_notices_a_changed_grid(city, settings):
    settings.GRID_INDEX_CHECK_SECONDS = 0
    spatial.invalidate_grid_index()
    before = spatial._current_index(date.today())
    assert before.find(*centre(2, 0)).grid_name == "西街1号网格"
    grid = city["grids"]["500120001002001"]
    grid.name = "西街新网格"
    grid.save()
    assert spatial._current_index(date.today()).find(*centre(2, 0)).grid_name == "西街新网格"


def test_locate_many_keeps_order_and_marks_outside(city):
    found = locate_many([centre(0, 0), (106.3, 29.7), centre(1, 1)])
    assert [f.grid_code if f else None for f in found] == ["500120001001001", None, "500120002001002"]
    assert locate_many([]) == []
    with pytest.raises(InvalidCoordinates, match="point 2"):
        locate_many([centre(0, 0), (999, 0)])


def north_of(lng: float, lat: float, metres: float) -> tuple[float, float]:
    return lng, lat + metres / METRES_PER_DEGREE_LAT


def test_components_near_in_metres_nearest_first(city, make_component):
    here = centre(0, 0)
    far = make_component(*north_of(*here, 200))
    mid = make_component(*north_of(*here, 40), status="damaged")
    near = make_component(*north_of(*here, 10))
    rows = list(spatial.components_near(*here, 50))
    assert [c.id for c in rows] == [near.id, mid.id]
    assert math.isclose(rows[0].distance_m, 10, rel_tol=0.02)
    assert math.isclose(rows[1].distance_m, 40, rel_tol=0.02)
    assert [c.id for c in spatial.components_near(*here, 50, status="damaged")] == [mid.id]
    assert far.id in {c.id for c in spatial.components_near(*here, 250)}
    with pytest.raises(ValueError, match="metres"):
        spatial.components_near(*here, -1)


def test_components_in_bbox(city, make_component):
    inside = make_component(*centre(0, 0))
    make_component(*centre(2, 1))
    box = (ORIGIN_LNG, ORIGIN_LAT, ORIGIN_LNG + CELL, ORIGIN_LAT + CELL)
    assert list(spatial.components_in_bbox(box)) == [inside]


def test_parse_bbox():
    assert spatial.parse_bbox("106.1, 29.5,106.3,29.7") == (106.1, 29.5, 106.3, 29.7)
    for bad in ["1,2,3", "a,1,2,3", "106.3,29.5,106.1,29.7", "0,0,200,1", "nan,0,1,1"]:
        with pytest.raises(ValueError, match="bbox"):
            spatial.parse_bbox(bad)


def test_regrid_sets_grids_in_one_statement_and_counts_changes(city, make_component, django_assert_num_queries):
    grids = city["grids"]
    wrong = make_component(*centre(0, 0), grid=grids["500120002001002"])
    unset = make_component(*centre(2, 0))
    right = make_component(*centre(1, 1), grid=grids["500120002001002"])
    outside = make_component(106.3, 29.7, grid=grids["500120001001001"])
    # One UPDATE; the others are its savepoint and the SET LOCAL of memory for the aggregate.
    with django_assert_num_queries(4) as captured:
        assert spatial.regrid_components() == 3
    assert sum("UPDATE" in q["sql"] for q in captured.captured_queries) == 1
    for component in (wrong, unset, right, outside):
        component.refresh_from_db()
    assert wrong.grid_id == grids["500120001001001"].id  # the current version, not the retired one
    assert unset.grid_id == grids["500120001002001"].id
    assert right.grid_id == grids["500120002001002"].id
    assert outside.grid_id is None
    assert spatial.regrid_components() == 0


def test_regrid_only_touches_the_given_queryset(city, make_component):
    from grids.models import Component

    first = make_component(*centre(0, 0))
    second = make_component(*centre(2, 0), class_code="0102")
    assert spatial.regrid_components(Component.objects.filter(minor_class__code="0102")) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.grid_id is None and second.grid_id == city["grids"]["500120001002001"].id


def test_grids_geojson_is_simplified_collection_of_current_grids(city):
    import json

    collection = json.loads(spatial.grids_geojson())
    assert collection["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in collection["features"]] == sorted(
        code for code in city["grids"] if code != "retired"
    )
    assert collection["features"][0]["properties"]["community"] == {"code": "500120001001", "name": "东关社区"}


# ---- validators --------------------------------------------------------------------------------------------------


def test_component_identifier_both_generations(city):
    assert validate_component_identifier("5001200101000001", "0101").serial == "000001"
    parts = validate_component_identifier("50012001001000042", "01001")
    assert (parts.county_code, parts.class_code, parts.serial) == ("500120", "01001", "000042")


@pytest.mark.parametrize(
    ("identifier", "class_code", "code"),
    [
        ("500120010100001", "0101", "identifier_format"),  # 15 digits
        ("50012001010000A1", "0101", "identifier_format"),
        ("5001200102000001", "0101", "identifier_class"),
        ("4213030101000001", "0101", "identifier_county"),
    ],
)
def test_component_identifier_errors(city, identifier, class_code, code):
    with pytest.raises(ValidationError) as caught:
        validate_component_identifier(identifier, class_code)
    assert caught.value.code == code


def test_component_identifier_with_a_given_district_list_makes_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        validate_component_identifier("5001200101000001", "0101", district_codes={"500120"})


def test_grid_code():
    validate_grid_code("500120001001001", "500120001001")
    for bad, code in [("50012000100100", "grid_code_format"), ("500120001002001", "grid_code_community")]:
        with pytest.raises(ValidationError) as caught:
            validate_grid_code(bad, "500120001001")
        assert caught.value.code == code
