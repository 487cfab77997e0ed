"""A small city for the spatial tests: district 500120, two streets, three communities, five current unit grids
(plus a retired version of one), two component classes and a handful of components at known places.

Grid layout (cells of 0.002°, south-west corner at 106.200, 29.600):

    29.604 +-------------+---------------------------+
           | C 001       | C 002                     |      street 002, community 500120002001
    29.602 +------+------+------+--------------------+
           | A001 | A002 | B001 |                           street 001: community A 500120001001, B 500120001002
    29.600 +------+------+------+
        106.200 106.202 106.204 106.206
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

ORIGIN_LNG, ORIGIN_LAT, CELL = 106.200, 29.600, 0.002


def square(col: float, row: float, cols: float = 1, rows: float = 1) -> MultiPolygon:
    x0, y0 = ORIGIN_LNG + col * CELL, ORIGIN_LAT + row * CELL
    poly = Polygon.from_bbox((x0, y0, x0 + cols * CELL, y0 + rows * CELL))
    return MultiPolygon(poly, srid=4326)


def centre(col: float, row: float) -> tuple[float, float]:
    return ORIGIN_LNG + (col + 0.5) * CELL, ORIGIN_LAT + (row + 0.5) * CELL


@pytest.fixture
def city(db):
    from grids.choices import RegionLevel
    from grids.models import Region, UnitGrid

    district = Region.objects.create(code="500120", name="璧山区", level=RegionLevel.DISTRICT)
    s1 = Region.objects.create(code="500120001", name="璧城街道", level=RegionLevel.STREET, parent=district)
    s2 = Region.objects.create(code="500120002", name="璧泉街道", level=RegionLevel.STREET, parent=district)
    a = Region.objects.create(code="500120001001", name="东关社区", level=RegionLevel.COMMUNITY, parent=s1)
    b = Region.objects.create(code="500120001002", name="西街社区", level=RegionLevel.COMMUNITY, parent=s1)
    c = Region.objects.create(code="500120002001", name="南门社区", level=RegionLevel.COMMUNITY, parent=s2)
    grids = {}
    for code, name, community, geom in [
        ("500120001001001", "东关1号网格", a, square(0, 0)),
        ("500120001001002", "东关2号网格", a, square(1, 0)),
        ("500120001002001", "西街1号网格", b, square(2, 0)),
        ("500120002001001", "南门1号网格", c, square(0, 1)),
        ("500120002001002", "南门2号网格", c, square(1, 1, cols=2)),
    ]:
        grids[code] = UnitGrid.objects.create(
            code=code, name=name, community=community, geometry=geom, valid_from=date(2024, 1, 1)
        )
    # The grid before the 2024 re-drawing: one grid over what are now A001 and A002.
    grids["retired"] = UnitGrid.objects.create(
        code="500120001001001",
        name="东关旧网格",
        community=a,
        geometry=square(0, 0, cols=2),
        valid_from=date(2020, 1, 1),
        valid_to=date(2024, 1, 1),
    )
    return {"district": district, "streets": (s1, s2), "communities": (a, b, c), "grids": grids}


@pytest.fixture
def component_classes(db):
    from grids.choices import ClassKind
    from grids.models import ClassificationStandard, MajorClass, MinorClass

    standard = ClassificationStandard.objects.create(code="test-spatial", name="CJ/T 214-2007 (test)")
    major = MajorClass.objects.create(standard=standard, kind=ClassKind.COMPONENT, code="01", name="公用设施")
    make = MinorClass.objects.create
    return {
        "0101": make(standard=standard, major=major, kind=ClassKind.COMPONENT, code="0101", name="上水井盖"),
        "0102": make(standard=standard, major=major, kind=ClassKind.COMPONENT, code="0102", name="污水井盖"),
    }


@pytest.fixture
def make_component(component_classes):
    from grids.models import Component

    serial = iter(range(1, 10_000))

    def make(lng: float, lat: float, class_code: str = "0101", status: str = "intact", grid=None) -> Component:
        point = Point(lng, lat, srid=4326)
        return Component.objects.create(
            identifier=f"500120{class_code}{next(serial):06d}",
            minor_class=component_classes[class_code],
            status=status,
            geometry=point,
            location=point,
            grid=grid,
        )

    return make
