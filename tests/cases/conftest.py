"""A small city for the case tests: one district, two streets, three grids, a class with its filing condition,
two departments with handlers, and the personas of tests/conftest.py."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

LNG0, LAT0, CELL = 106.200, 29.600, 0.002
INSIDE = (LNG0 + 0.0005, LAT0 + 0.0005)  # in grid 500120001001001
OUTSIDE = (LNG0 - 0.05, LAT0)


def report_body(**overrides) -> dict:
    """The JSON body of a collector's report through the API (暴露垃圾 06010 inside grid 500120001001001)."""
    body = {
        "client_uuid": str(uuid.uuid4()),
        "class_code": "06010",
        "lat": INSIDE[1],
        "lng": INSIDE[0],
        "address": "东关路12号",
        "description": "暴露垃圾",
    }
    return {**body, **overrides}


def _square(col: int, row: int = 0) -> MultiPolygon:
    x0, y0 = LNG0 + col * CELL, LAT0 + row * CELL
    return MultiPolygon(Polygon.from_bbox((x0, y0, x0 + CELL, y0 + CELL)), srid=4326)


@pytest.fixture(autouse=True)
def _fresh_stage_limits():
    """Stage limits are cached per process; a test's edits roll back, so no test may see another's."""
    from cases.deadlines import clear_limit_cache

    clear_limit_cache()
    yield
    clear_limit_cache()


@pytest.fixture
def base_map(db):
    from cases.models import StreetOffice
    from core.models import Department
    from grids.choices import RegionLevel
    from grids.models import Region, UnitGrid

    district = Region.objects.create(code="500120", name="璧山区", level=RegionLevel.DISTRICT)
    street = Region.objects.create(code="500120001", name="璧城街道", level=RegionLevel.STREET, parent=district)
    other_street = Region.objects.create(code="500120002", name="璧泉街道", level=RegionLevel.STREET, parent=district)
    a = Region.objects.create(code="500120001001", name="东关社区", level=RegionLevel.COMMUNITY, parent=street)
    b = Region.objects.create(code="500120002001", name="南门社区", level=RegionLevel.COMMUNITY, parent=other_street)
    grids = [
        UnitGrid.objects.create(
            code="500120001001001", name="东关1号", community=a, geometry=_square(0), valid_from=date(2020, 1, 1)
        ),
        UnitGrid.objects.create(
            code="500120001001002", name="东关2号", community=a, geometry=_square(1), valid_from=date(2020, 1, 1)
        ),
        UnitGrid.objects.create(
            code="500120002001001", name="南门1号", community=b, geometry=_square(2), valid_from=date(2020, 1, 1)
        ),
    ]
    office = Department.objects.create(code="st-bicheng", name="璧城街道办事处", kind="street_office")
    StreetOffice.objects.create(street_code="500120001", department=office)
    return {"grids": grids, "street_office": office}


@pytest.fixture
def taxonomy(db):
    """A standard of our own (distinct codes, so the national catalogue loaded by migrate does not matter)."""
    from grids.choices import ClassKind
    from grids.models import ClassificationStandard, MajorClass, MinorClass

    standard = ClassificationStandard.objects.create(code="wf-test", name="流程测试标准", is_local=True)
    major = MajorClass.objects.create(standard=standard, kind=ClassKind.EVENT, code="96", name="测试市容类")
    garbage = MinorClass.objects.create(
        standard=standard, major=major, kind=ClassKind.EVENT, code="96001", name="暴露垃圾（测试）"
    )
    litter = MinorClass.objects.create(
        standard=standard, major=major, kind=ClassKind.EVENT, code="96002", name="道路不洁（测试）"
    )
    return {"standard": standard, "garbage": garbage, "litter": litter}


@pytest.fixture
def wf_class(taxonomy, department):
    """The workflow tests' class: 暴露垃圾 of our own standard with a 4-working-hour condition defaulting to 环卫所,
    and a condition of another class (which registration must refuse)."""
    from grids.models import FilingCondition

    condition = FilingCondition.objects.create(
        minor_class=taxonomy["garbage"],
        code="T1",
        description="成堆成片生活垃圾（测试）",
        limit_value=Decimal(4),
        limit_unit="work_hours",
        default_department=department,
    )
    foreign = FilingCondition.objects.create(
        minor_class=taxonomy["litter"], code="T1", description="道路不洁（测试）", limit_value=Decimal(2)
    )
    return {"class": taxonomy["garbage"], "condition": condition, "foreign_condition": foreign}


@pytest.fixture
def garbage_class(db, department):
    """暴露垃圾 (06010 of GB/T 47678.5-2026, loaded by migrate) with a 4-working-hour condition of our own: for
    tests that report through the API by national class code."""
    from grids.models import FilingCondition, MinorClass

    klass = MinorClass.objects.get(standard__is_default=True, code="06010")
    condition = FilingCondition.objects.create(
        minor_class=klass,
        code="T1",
        description="成堆成片生活垃圾（测试）",
        limit_value=Decimal(4),
        limit_unit="work_hours",
        default_department=department,
    )
    return {"class": klass, "condition": condition}


@pytest.fixture
def cast(personas, make_user, department, other_department):
    """The personas plus a second collector and a handler of another department."""
    from core.choices import Role

    return {
        **personas,
        "collector2": make_user("collector2", Role.COLLECTOR),
        "other_handler": make_user("other_handler", Role.HANDLER, department=other_department),
    }


@pytest.fixture
def new_case(base_map, wf_class, cast):
    """``new_case(**overrides)``: a case written straight into REPORTED (or SELF_DISPOSED) with the ORM, as intake
    leaves it — snapshot codes, the acceptance clock and the "report" event — without depending on intake's code."""
    import uuid

    from django.utils import timezone

    from cases.choices import CaseSource, CaseStatus, Stage
    from cases.deadlines import stage_deadline
    from cases.models import Case
    from cases.timeline import record_event

    def make(*, at=None, reporter=None, source=CaseSource.COLLECTOR, minor_class=None, grid=None, **fields):
        now = at or timezone.now()
        grid = grid or base_map["grids"][0]
        reporter = reporter or cast["collector"]
        self_disposed = source == CaseSource.SELF_DISPOSAL
        status = CaseStatus.SELF_DISPOSED if self_disposed else CaseStatus.REPORTED
        case = Case.objects.create(
            case_no=f"T{uuid.uuid4().hex[:12]}",
            kind="event",
            minor_class=minor_class or wf_class["class"],
            source=source,
            description=fields.pop("description", "路边暴露垃圾"),
            address=fields.pop("address", "东关路12号"),
            location=point(*INSIDE),
            grid=grid,
            grid_code=grid.code,
            community_code=grid.code[:12],
            street_code=grid.code[:9],
            district_code=grid.code[:6],
            reporter=reporter,
            reported_at=now,
            received_at=now,
            status=status,
            stage_started_at=now,
            stage_deadline=stage_deadline(Stage.CLOSE if self_disposed else Stage.ACCEPT, now),
            **fields,
        )
        record_event(case, "report", reporter, "", status, data={"source": source}, at=now)
        return case

    return make


@pytest.fixture
def report(base_map, garbage_class, cast):
    """``report(**overrides)``: a case reported by the collector through the real intake service, by default of
    暴露垃圾 (06010, whose test condition defaults to the handler's department) inside grid 500120001001001."""
    import uuid

    from cases.services.intake import clear_class_cache, report_case

    clear_class_cache()

    def make(**overrides):
        fields = {
            "reporter": cast["collector"],
            "class_code": "06010",
            "lng": INSIDE[0],
            "lat": INSIDE[1],
            "client_uuid": uuid.uuid4(),
            "description": "路边暴露垃圾",
            "address": "东关路12号",
            **overrides,
        }
        case, _created = report_case(**fields)
        return case

    return make


def point(lng: float, lat: float) -> Point:
    return Point(lng, lat, srid=4326)
