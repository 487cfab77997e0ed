"""The demo city's components: rows generated along the roads (deterministic per class), written with COPY as
hex EWKB with the secondary indexes dropped during big loads."""

import bisect
import io
import math
import random
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from django.db import connection

from grids.demo.plan import CityPlan, inside_convex
from grids.demo.preset import (
    CENTRE,
    COMPONENT_CLASSES,
    COVER_CODES,
    DISTRICT_CODE,
    FULL_COMPONENT_COUNT,
    TREE_CODES,
    ComponentClass,
)


def component_counts(scale: float) -> dict[str, int]:
    """round(319,996 × scale) components shared out by weight (largest remainder, so the total is exact)."""
    total = round(FULL_COMPONENT_COUNT * scale)
    weight_sum = sum(c.weight for c in COMPONENT_CLASSES)
    shares = [(c.code, total * c.weight / weight_sum) for c in COMPONENT_CLASSES]
    counts = {code: math.floor(share) for code, share in shares}
    left = total - sum(counts.values())
    for code, _share in sorted(shares, key=lambda cs: (-(cs[1] - math.floor(cs[1])), cs[0]))[:left]:
        counts[code] += 1
    return counts


def _ewkb_point(x: float, y: float) -> str:
    return "0101000020E6100000" + struct.pack("<dd", x, y).hex()


def _ewkb_line(points: list[tuple[float, float]]) -> str:
    return "0102000020E6100000" + struct.pack(f"<I{2 * len(points)}d", len(points), *sum(points, ())).hex()


def _ewkb_polygon(ring: list[tuple[float, float]]) -> str:
    closed = [*ring, ring[0]]
    return "0103000020E6100000" + struct.pack(f"<II{2 * len(closed)}d", 1, len(closed), *sum(closed, ())).hex()


EXTRA_CHOICES = {
    "cover": [
        '{"material": "%s", "spec": "%s"}' % (m, s)  # noqa: UP031 - a template of literal JSON
        for m in ("铸铁", "球墨铸铁", "复合材料", "混凝土")
        for s in ("Φ700", "Φ800", "600×600")
    ],
    "lamp": ['{"height_m": %d, "light_source": "%s"}' % (h, s) for h in (8, 10, 12) for s in ("LED", "高压钠灯")],  # noqa: UP031
    "tree": ['{"species": "%s"}' % s for s in ("香樟", "黄葛树", "银杏", "小叶榕", "桂花", "天竺桂")],  # noqa: UP031
    "sculpture": ['{"title": "%s"}' % t for t in ("璧山印象", "秀湖春晓", "丰收", "城市之光", "凤鸣")],  # noqa: UP031
}
STATUS_CUTS = ((0.030, "damaged"), (0.040, "lost"), (0.045, "abandoned"))
CENSUS_START = date(2019, 1, 1)


def component_rows(
    plan: CityPlan,
    cls: ComponentClass,
    count: int,
    skip: int,
    seed: int,
    ids: dict[str, int | None],
) -> Iterator[str]:
    """COPY text rows for serials ``skip+1 … count`` of one class (serials ≤ ``skip`` are already stored, but
    their random draws are still made so that serial k is the same component whatever the scale)."""
    rng = random.Random(f"{seed}:{cls.code}")
    mx, my = plan.metres_per_degree
    roads, cumulative = plan.roads, plan.road_cumulative
    total = cumulative[-1]
    cells = list(plan.cells.values())
    kind = (
        "cover"
        if cls.code in COVER_CODES
        else "lamp"
        if cls.code == "01037"
        else "tree"
        if cls.code in TREE_CODES
        else "sculpture"
        if cls.code == "04006"
        else None
    )
    class_id, name = ids[f"class:{cls.code}"], ids[f"name:{cls.code}"]
    for serial in range(1, count + 1):
        while True:
            if cls.placement == "road":
                ax, ay, bx, by = roads[bisect.bisect_left(cumulative, rng.random() * total)]
                t, side = rng.random(), rng.uniform(2.0, 14.0) * (1 if rng.random() < 0.5 else -1)
                length = math.hypot(bx - ax, by - ay) or 1.0
                ux, uy = (bx - ax) / length, (by - ay) / length
                x, y = ax + (bx - ax) * t - uy * side, ay + (by - ay) * t + ux * side
                lng, lat = round(CENTRE[0] + x / mx, 7), round(CENTRE[1] + y / my, 7)
                cell = plan.cell_at(lng, lat)
                if cell is None:
                    continue
            else:
                cell = cells[rng.randrange(len(cells))]
                u, v = rng.uniform(0.15, 0.85), rng.uniform(0.15, 0.85)
                (ax_, ay_), (bx_, by_), (cx_, cy_), (dx_, dy_) = cell.corners  # NW, NE, SE, SW: bilinear
                lng = round((1 - v) * ((1 - u) * ax_ + u * bx_) + v * ((1 - u) * dx_ + u * cx_), 7)
                lat = round((1 - v) * ((1 - u) * ay_ + u * by_) + v * ((1 - u) * dy_ + u * cy_), 7)
                ux, uy = 1.0, 0.0
                if not inside_convex(cell.corners, lng, lat):
                    continue
            break
        roll = rng.random()
        status = next((s for cut, s in STATUS_CUTS if roll < cut), "intact")
        census = CENSUS_START + timedelta(days=rng.randrange(1461))
        changed = census + timedelta(days=rng.randrange(30, 900)) if status != "intact" else None
        extra = rng.choice(EXTRA_CHOICES[kind]) if kind else "{}"
        shape_draw = rng.random()
        if serial <= skip:
            continue
        location = _ewkb_point(lng, lat)
        if cls.shape == "line":
            half = 8 + 20 * shape_draw
            dlng, dlat = ux * half / mx, uy * half / my
            geometry = _ewkb_line(  # through the location itself, so the location is exactly on the line
                [(round(lng - dlng, 7), round(lat - dlat, 7)), (lng, lat), (round(lng + dlng, 7), round(lat + dlat, 7))]
            )
        elif cls.shape == "polygon":
            hx, hy = (12 + 25 * shape_draw) / mx, (10 + 20 * shape_draw) / my
            ring = [(lng - hx, lat + hy), (lng + hx, lat + hy), (lng + hx, lat - hy), (lng - hx, lat - hy)]
            geometry = _ewkb_polygon([(round(a, 7), round(b, 7)) for a, b in ring])
        else:
            geometry = location
        street_office = ids[f"street:{cell.street}"]
        maintainer = street_office if cls.maintainer == "street" else ids[cls.maintainer]
        supervising = street_office if cls.supervising == "street" else ids[cls.supervising]
        owner = maintainer if cls.owner is None else ids[cls.owner]
        yield "\t".join(
            (
                f"{DISTRICT_CODE}{cls.code}{serial:06d}",
                str(class_id),
                name,
                _nullable(supervising),
                _nullable(owner),
                _nullable(maintainer),
                _nullable(cell.grid_id),
                status,
                census.isoformat(),
                changed.isoformat() if changed else r"\N",
                "surveyed",
                "",
                "",
                geometry,
                location,
                extra,
            )
        )


@contextmanager
def without_secondary_indexes(table: str) -> Iterator[None]:
    """For a large load into a (nearly) empty table: drop its secondary indexes and foreign keys, load, and put
    them back exactly as they were (definitions read from the catalogue), all inside the caller's transaction.

    Why: maintaining the secondary indexes row by row (a GiST and four B-trees; two GiSTs and nine B-trees when
    this was measured), and 1.6 million deferred foreign-key checks at commit, cost twice as much as the COPY
    itself; rebuilding them once is sorted and fast. Unique and primary-key indexes stay, so duplicates are still
    refused during the load. Holds an exclusive lock on the table until commit: seeding is an offline operation."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = %s AND NOT EXISTS (
                SELECT 1 FROM pg_constraint c
                WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)
            """,
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype = 'f'",
            [table],
        )
        foreign_keys = cursor.fetchall()
        # Grids created earlier in this transaction leave deferred FK checks pending, and PostgreSQL refuses DDL on
        # a table with pending trigger events: run them now, then defer again (Django's default).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        for name, _definition in foreign_keys:
            cursor.execute(
                f"ALTER TABLE {connection.ops.quote_name(table)} DROP CONSTRAINT {connection.ops.quote_name(name)}"
            )
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in foreign_keys:
            cursor.execute(
                f"ALTER TABLE {connection.ops.quote_name(table)} ADD CONSTRAINT {connection.ops.quote_name(name)} "
                f"{definition}"
            )


def _nullable(value: int | None) -> str:
    return r"\N" if value is None else str(value)


COPY_COLUMNS = (
    "identifier, minor_class_id, name, supervising_department_id, owner_id, maintainer_id, grid_id, status, "
    "census_date, changed_date, data_source, note, photo, geometry, location, extra"
)


def copy_rows(rows: Iterator[str], chunk: int = 50_000) -> int:
    """Stream rows into grids_component with COPY, in chunks so memory stays flat."""
    written = 0
    with connection.cursor() as cursor:
        while True:
            buffer = io.StringIO()
            n = 0
            for row in rows:
                buffer.write(row)
                buffer.write("\n")
                n += 1
                if n >= chunk:
                    break
            if not n:
                return written
            buffer.seek(0)
            cursor.copy_expert(f"COPY grids_component ({COPY_COLUMNS}) FROM STDIN", buffer)
            written += n
            if n < chunk:
                return written
