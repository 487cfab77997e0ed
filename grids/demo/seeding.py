"""Writing the demo city's base map: regions, grids (with their areas and boundaries), duty grids with their
collectors and the components; idempotent."""

from collections.abc import Iterator

from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import connection, transaction

from grids.demo.components import (
    component_counts,
    component_rows,
    copy_rows,
    without_secondary_indexes,
)
from grids.demo.plan import CityPlan, build_plan
from grids.demo.preset import (
    COMPONENT_CLASSES,
    DISTRICT_CODE,
    DISTRICT_NAME,
    GRIDS_VALID_FROM,
    STREETS,
    TaxonomyMissing,
)

# From this many new components on, the load drops the secondary indexes and rebuilds them afterwards.
BULK_LOAD_THRESHOLD = 50_000


def seed_base_map(scale: float = 1.0, seed: int = 1) -> dict[str, int]:
    """Seed regions, 548 unit grids, duty grids and ``round(319,996 × scale)`` components; returns what was added.

    Needs the organisation (``core.demo.seed_organisation``) and the taxonomy catalogue (loaded by ``migrate``).
    Idempotent: grids only when the district has none, components only for serials not yet stored."""
    if not 0 < scale <= 1:
        raise ValueError("scale must be greater than 0 and at most 1")
    plan = build_plan(seed)
    added = {"regions": 0, "grids": 0, "duty_grids": 0, "collectors": 0, "components": 0}
    with transaction.atomic():
        regions = _seed_regions(plan, added)
        fresh_grids = _seed_grids(plan, regions, added)
        _seed_duty_grids(plan, regions, added)
        added["components"] = _seed_components(plan, scale, seed, exact_cells=fresh_grids)
    if added["components"] >= BULK_LOAD_THRESHOLD:
        from grids.spatial import cluster_components_by_location

        cluster_components_by_location()  # spatial order on disk: fast map tiles
    elif added["components"]:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE grids_component")
    return added


def _seed_regions(plan: CityPlan, added: dict[str, int]) -> dict[str, object]:
    from grids.choices import RegionLevel
    from grids.models import Region

    def ensure(code: str, name: str, level: str, parent: Region | None) -> Region:
        region, created = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent}
        )
        added["regions"] += created
        return region

    district = ensure(DISTRICT_CODE, DISTRICT_NAME, RegionLevel.DISTRICT, None)
    regions: dict[str, object] = {DISTRICT_CODE: district}
    for code, name, _office, _n in STREETS:
        regions[DISTRICT_CODE + code] = ensure(DISTRICT_CODE + code, name, RegionLevel.STREET, district)
    for community in plan.communities:
        street = regions[community["code"][:9]]
        regions[community["code"]] = ensure(community["code"], community["name"], RegionLevel.COMMUNITY, street)
    return regions


def _seed_grids(plan: CityPlan, regions: dict[str, object], added: dict[str, int]) -> bool:
    """Create the grids unless the district has current grids. Returns whether the stored grids are exactly this
    plan's cells (then each generated component's grid is known without a spatial query)."""
    from grids.models import UnitGrid

    current = UnitGrid.objects.filter(code__startswith=DISTRICT_CODE, valid_to__isnull=True)
    if current.exists():
        stored = {
            code: (pk, (x, y))
            for code, pk, x, y in current.extra(
                select={
                    "x": "ST_X(ST_PointN(ST_ExteriorRing(ST_GeometryN(geometry, 1)), 1))",
                    "y": "ST_Y(ST_PointN(ST_ExteriorRing(ST_GeometryN(geometry, 1)), 1))",
                }
            ).values_list("code", "pk", "x", "y")
        }
        exact = all(stored.get(cell.code, (None, None))[1] == cell.corners[0] for cell in plan.cells.values())
        for cell in plan.cells.values():
            cell.grid_id = stored[cell.code][0] if exact else None
        return exact
    grids = []
    for cell in plan.cells.values():
        community = regions[cell.code[:12]]
        ring = [*cell.corners, cell.corners[0]]
        grids.append(
            UnitGrid(
                code=cell.code,
                name=f"{community.name}{cell.code[-3:]}号网格",
                community=community,
                geometry=MultiPolygon(Polygon(ring, srid=4326), srid=4326),
                valid_from=GRIDS_VALID_FROM,
            )
        )
    UnitGrid.objects.bulk_create(grids, batch_size=1000)
    ids = dict(current.values_list("code", "pk"))
    for cell in plan.cells.values():
        cell.grid_id = ids[cell.code]
    added["grids"] += len(grids)
    _set_areas_and_boundaries()
    return True


def _set_areas_and_boundaries() -> None:
    """Grid areas on the spheroid, and every region's boundary as the union of its grids (set-based)."""
    like = DISTRICT_CODE + "%"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE grids_unitgrid SET area_m2 = ST_Area(geometry::geography) WHERE code LIKE %s AND valid_to IS NULL",
            [like],
        )
        cursor.execute(
            """
            UPDATE grids_region r SET boundary = u.geom
            FROM (SELECT community_id, ST_Multi(ST_CollectionExtract(ST_Union(geometry), 3)) AS geom
                  FROM grids_unitgrid WHERE code LIKE %s AND valid_to IS NULL GROUP BY community_id) u
            WHERE r.id = u.community_id
            """,
            [like],
        )
        for level in ("community", "street"):
            cursor.execute(
                """
                UPDATE grids_region r SET boundary = u.geom
                FROM (SELECT parent_id, ST_Multi(ST_CollectionExtract(ST_Union(boundary), 3)) AS geom
                      FROM grids_region WHERE level = %s AND code LIKE %s GROUP BY parent_id) u
                WHERE r.id = u.parent_id
                """,
                [level, like],
            )


def _seed_duty_grids(plan: CityPlan, regions: dict[str, object], added: dict[str, int]) -> None:
    """责任网格: one patrol beat per community. The street's collector patrols it: ``collector`` the urban core,
    ``collector2`` … ``collector7`` the other streets (created here with the demo password)."""
    from django.contrib.auth.hashers import make_password

    from core.choices import Role
    from core.demo_cast import COLLECTION_COMPANY, DEMO_PASSWORD, STREET_COLLECTORS
    from core.models import Department, User
    from grids.models import DutyGrid, UnitGrid

    collectors: list[User | None] = [User.objects.filter(username="collector").first()]
    company = Department.objects.filter(code=COLLECTION_COMPANY).first()
    password_hash = None
    for username, full_name in STREET_COLLECTORS[: len(STREETS) - 1]:
        user = User.objects.filter(username=username).first()
        if user is None:
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user = User(username=username, first_name=full_name, role=Role.COLLECTOR, department=company)
            user.password = password_hash
            user.save()
            added["collectors"] += 1
        collectors.append(user)
    for community in plan.communities:
        region = regions[community["code"]]
        duty, created = DutyGrid.objects.get_or_create(
            code=f"ZR{community['code']}", defaults={"name": f"{region.name}责任网格"}
        )
        if not created:
            continue
        added["duty_grids"] += 1
        duty.unit_grids.set(UnitGrid.objects.filter(community=region, valid_to__isnull=True))
        collector = collectors[community["street"]]
        if collector is not None:
            duty.collectors.add(collector)


def lookup_ids(plan: CityPlan) -> dict[str, int | None]:
    """Class, department and street-office ids by the keys the row generator uses."""
    from core.models import Department
    from grids.choices import ClassKind
    from grids.models import MinorClass

    classes = {
        code: (pk, name)
        for code, pk, name in MinorClass.objects.filter(
            standard__is_default=True, kind=ClassKind.COMPONENT, code__in=[c.code for c in COMPONENT_CLASSES]
        ).values_list("code", "pk", "name")
    }
    missing = sorted({c.code for c in COMPONENT_CLASSES} - set(classes))
    if missing:
        raise TaxonomyMissing(
            "The component classes of the default standard (GB/T 47678.5-2026) are not loaded; run `manage.py "
            f"migrate` first. Missing class codes: {', '.join(missing)}"
        )
    ids: dict[str, int | None] = dict(Department.objects.values_list("code", "pk"))
    for code, (pk, name) in classes.items():
        ids[f"class:{code}"], ids[f"name:{code}"] = pk, name.replace("\t", " ").replace("\\", "/")
    for index, (_code, _name, office, _n) in enumerate(STREETS):
        ids[f"street:{index}"] = ids.get(office)
    for cls in COMPONENT_CLASSES:  # a department missing from the organisation leaves the field empty
        for dept in (cls.maintainer, cls.supervising, cls.owner):
            if dept and dept != "street":
                ids.setdefault(dept, None)
    return ids


def _seed_components(plan: CityPlan, scale: float, seed: int, exact_cells: bool) -> int:
    ids = lookup_ids(plan)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT substr(identifier, 7, 5), max(substr(identifier, 12, 6)::int) FROM grids_component "
            "WHERE identifier LIKE %s AND length(identifier) = 17 GROUP BY 1",
            [DISTRICT_CODE + "%"],
        )
        stored = dict(cursor.fetchall())
    counts = component_counts(scale)

    def rows() -> Iterator[str]:
        for cls in COMPONENT_CLASSES:
            skip = stored.get(cls.code, 0)
            if counts[cls.code] > skip:
                yield from component_rows(plan, cls, counts[cls.code], skip, seed, ids)

    expected = sum(max(counts[c.code] - stored.get(c.code, 0), 0) for c in COMPONENT_CLASSES)
    if expected >= BULK_LOAD_THRESHOLD and expected >= sum(stored.values()):
        with without_secondary_indexes("grids_component"):
            written = copy_rows(rows())
    else:
        written = copy_rows(rows())
    if written and not exact_cells:
        # The stored grids are another seed's: find each new component's grid in the database instead.
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE grids_component c SET grid_id = g.id FROM grids_unitgrid g
                WHERE c.grid_id IS NULL AND c.identifier LIKE %s AND g.valid_to IS NULL
                  AND ST_Covers(g.geometry, c.location)
                """,
                [DISTRICT_CODE + "%"],
            )
    return written
