"""The demo city's base map (grids/demo/): a Bishan-shaped district whose 548 grids tile it exactly, with
components of 87 classes, deterministic by seed and idempotent."""

from __future__ import annotations

import itertools
import math

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from core.demo import seed_organisation
from grids import demo
from grids.models import Component, DutyGrid, MinorClass, Region, UnitGrid

SCALE = 0.01
SEED = 7


def _one(sql: str, params: list | None = None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()


@pytest.fixture
def city(db) -> dict[str, int]:
    seed_organisation(seed=1)
    return demo.seed_base_map(scale=SCALE, seed=SEED)


def test_548_grids_tile_the_33_km2_district_without_gaps_or_overlaps(city):
    assert city["grids"] == UnitGrid.objects.count() == 548
    district = Region.objects.get(code="500120", level="district")
    district_km2, union_km2, sum_km2 = _one(
        """
        SELECT ST_Area(r.boundary::geography) / 1e6, ST_Area(ST_Union(g.geometry)::geography) / 1e6,
               sum(g.area_m2) / 1e6
        FROM grids_region r, grids_unitgrid g WHERE r.id = %s GROUP BY r.boundary
        """,
        [district.pk],
    )
    assert district_km2 == pytest.approx(33.18, rel=0.005)
    assert union_km2 == pytest.approx(district_km2, rel=0.001)
    # The grids' own areas add up to the union: nothing is counted twice.
    assert sum_km2 == pytest.approx(union_km2, rel=0.001)
    overlapping = _one(
        """
        SELECT count(*), coalesce(sum(ST_Area(ST_Intersection(a.geometry, b.geometry)::geography)), 0)
        FROM grids_unitgrid a JOIN grids_unitgrid b
          ON a.id < b.id AND a.geometry && b.geometry AND ST_Overlaps(a.geometry, b.geometry)
        """
    )
    assert overlapping == (0, 0)
    # Every street and community is one piece, and its boundary is the union of its grids.
    for region in Region.objects.exclude(level="district"):
        assert region.boundary.num_geom == 1, region


def test_regions_and_grid_codes_follow_the_administrative_chain(city):
    streets = Region.objects.filter(level="street")
    assert streets.count() == len(demo.STREETS) == 7
    communities = Region.objects.filter(level="community").select_related("parent")
    assert all(c.code.startswith(c.parent.code) and len(c.code) == 12 for c in communities)
    side_deg = math.sqrt(demo.MANAGED_AREA_M2 / demo.GRID_COUNT) / demo.metres_per_degree(demo.CENTRE[1])[1]
    for community in communities:
        rows = list(
            UnitGrid.objects.filter(community=community)
            .order_by("code")
            .extra(select={"cx": "ST_X(ST_Centroid(geometry))", "cy": "ST_Y(ST_Centroid(geometry))"})
            .values_list("code", "cx", "cy")
        )
        assert rows, community
        assert [code[-3:] for code, _x, _y in rows] == [f"{n:03d}" for n in range(1, len(rows) + 1)]
        for code, _x, _y in rows:
            assert len(code) == 15 and code.isdigit() and code.startswith(community.code)
        # Serial order: west→east along a row, then the next row to the south.
        for (code_a, xa, ya), (code_b, xb, yb) in itertools.pairwise(rows):
            same_row = abs(yb - ya) < side_deg / 2
            assert (same_row and xb > xa) or yb < ya - side_deg / 2, (code_a, code_b)


def test_duty_grids_one_per_community_with_collectors(city):
    communities = Region.objects.filter(level="community")
    assert DutyGrid.objects.count() == communities.count() == city["duty_grids"]
    core = DutyGrid.objects.get(code="ZR500120001001")
    assert list(core.collectors.values_list("username", flat=True)) == ["collector"]
    assert core.unit_grids.count() == UnitGrid.objects.filter(community__code="500120001001").count()
    assert all(d.collectors.exists() for d in DutyGrid.objects.all())
    assert sum(d.unit_grids.count() for d in DutyGrid.objects.all()) == 548


def test_class_table_has_87_classes_in_5_majors_with_a_plausible_mix():
    codes = [c.code for c in demo.COMPONENT_CLASSES]
    assert len(set(codes)) == 87
    assert {code[:2] for code in codes} == {"01", "02", "03", "04", "05"}
    full = demo.component_counts(1)
    assert sum(full.values()) == 319_996 and all(n > 0 for n in full.values())
    covers = sum(full[c] for c in demo.COVER_CODES)
    assert covers > 30_000 and full["01037"] > 10_000  # many manhole covers and street lamps
    assert full["04006"] < 200 and full["03001"] < 200  # few sculptures and public toilets
    assert sum(demo.component_counts(SCALE).values()) == round(319_996 * SCALE)


@pytest.mark.django_db
def test_every_demo_class_is_in_the_default_catalogue():
    stored = set(MinorClass.objects.filter(standard__is_default=True, kind="component").values_list("code", flat=True))
    assert {c.code for c in demo.COMPONENT_CLASSES} <= stored


def test_components_have_valid_identifiers_and_stand_in_their_grid(city):
    assert city["components"] == Component.objects.count() == round(319_996 * SCALE)
    for identifier, class_code in Component.objects.values_list("identifier", "minor_class__code"):
        assert len(identifier) == 17 and identifier.isdigit()
        assert identifier[:6] == "500120" and identifier[6:11] == class_code
    outside = _one(
        """
        SELECT count(*) FROM grids_component c LEFT JOIN grids_unitgrid g ON g.id = c.grid_id
        WHERE g.id IS NULL OR NOT ST_Covers(g.geometry, c.location)
        """
    )
    assert outside == (0,)
    # Lines and polygons keep a point on them as their location.
    shapes = _one(
        """
        SELECT count(*) FILTER (WHERE m.code = '04013' AND GeometryType(c.geometry) <> 'POLYGON'),
               count(*) FILTER (WHERE m.code = '02017' AND GeometryType(c.geometry) <> 'LINESTRING'),
               count(*) FILTER (WHERE NOT ST_Intersects(c.geometry, c.location))
        FROM grids_component c JOIN grids_minorclass m ON m.id = c.minor_class_id
        """
    )
    assert shapes == (0, 0, 0)
    # Sensible maintainers: lamps by the lighting office, bins by sanitation, street trees by the gardens office.
    for class_code, department in (("01037", "lighting"), ("03005", "sanitation"), ("04002", "gardens")):
        maintainers = set(
            Component.objects.filter(minor_class__code=class_code).values_list("maintainer__code", flat=True)
        )
        assert maintainers == {department}, class_code
    statuses = dict(Component.objects.values_list("status").annotate(n=Count("id")))
    assert statuses["intact"] > 0.9 * sum(statuses.values())
    assert Component.objects.filter(census_date__year__lt=2019).count() == 0
    assert Component.objects.filter(census_date__year__gt=2022).count() == 0


def test_second_run_adds_nothing_and_a_larger_scale_only_the_difference(city):
    again = demo.seed_base_map(scale=SCALE, seed=SEED)
    assert again == {"regions": 0, "grids": 0, "duty_grids": 0, "collectors": 0, "components": 0}
    bigger = demo.seed_base_map(scale=SCALE * 2, seed=SEED)
    assert bigger["grids"] == 0
    assert bigger["components"] == round(319_996 * SCALE * 2) - round(319_996 * SCALE)
    assert Component.objects.count() == round(319_996 * SCALE * 2)
    assert UnitGrid.objects.count() == 548


def _component_schema() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'grids_component' UNION ALL "
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'grids_component'::regclass"
        )
        return sorted(row[0] for row in cursor.fetchall())


@pytest.mark.django_db
def test_a_large_load_drops_and_restores_the_indexes_and_foreign_keys(monkeypatch):
    """The fast path of the full city, at a small scale: same schema afterwards, same data as the slow path."""
    schema = _component_schema()
    seed_organisation(seed=1)
    monkeypatch.setattr(demo.seeding, "BULK_LOAD_THRESHOLD", 1000)
    added = demo.seed_base_map(scale=SCALE, seed=SEED)
    assert added["components"] == Component.objects.count() == round(319_996 * SCALE)
    assert _component_schema() == schema
    assert Component.objects.filter(grid__isnull=True).count() == 0
    assert Component.objects.filter(maintainer__code="lighting", minor_class__code="01037").exists()


def test_same_seed_gives_the_same_city(city):
    plan = demo.build_plan(SEED)
    stored = dict(UnitGrid.objects.values_list("code", "geometry"))
    for cell in list(plan.cells.values())[:20]:
        assert tuple(stored[cell.code][0].exterior_ring.coords[:4]) == cell.corners
    first = list(
        Component.objects.filter(minor_class__code="04002").order_by("identifier").values_list("identifier", "location")
    )[:5]
    ids = demo.lookup_ids(plan)
    regenerated = [row.split("\t") for row in demo.component_rows(plan, demo.COMPONENT_CLASSES[-12], 5, 0, SEED, ids)]
    assert demo.COMPONENT_CLASSES[-12].code == "04002"
    assert [(r[0], GEOSGeometry(r[14]).coords) for r in regenerated] == [(i, loc.coords) for i, loc in first]
    other = demo.build_plan(SEED + 1)
    assert [c.corners for c in other.cells.values()][:5] != [c.corners for c in plan.cells.values()][:5]


@pytest.mark.django_db
def test_seed_city_command_seeds_and_refuses_a_bad_scale(capsys):
    with pytest.raises(CommandError, match="--scale"):
        call_command("seed_city", scale=0)
    call_command("seed_city", scale=0.002, seed=3)
    out = capsys.readouterr().out
    assert "548 unit grids" in out and f"{round(319_996 * 0.002)} components added" in out
