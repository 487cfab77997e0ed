"""The demo city's base layers, drawn from the same plan as its grids and components (``grids.demo.build_plan``).

- *Roads*: the plan's road network, its segments joined back into roads. Arterials (主干路) and secondary roads
  (次干路) carry the names the demo addresses use (``grids.demo.NS_ROADS``/``EW_ROADS`` by 500 m band, so
  璧山区丁家路232号 lies on 丁家路); alleys near the core are branch roads (支路), the others lanes (街巷); an
  expressway (快速路) crosses the city diagonally.
- *Water*: a river (璧南河) meandering across the city from north to south, a stream joining it and a lake in a park.
- *Green space*: several parks in blocks between main roads and a green belt along the river.
- *Buildings*: blocks of footprints on a lattice of lots between the roads, dense in the core and sparse outside,
  never on a road, in the river or in a park.
- *Place labels*: the district, its streets and communities at the middle of their grids, and landmarks.

Deterministic for a seed and independent of ``--scale`` (the city's area is the same at every scale). Idempotent:
a layer that already holds the demo's features is left alone.
"""

from __future__ import annotations

import itertools
import math
import random
import struct
from collections import defaultdict

from django.contrib.gis.geos import LineString, MultiLineString, MultiPolygon, Point, Polygon
from django.db import connection, transaction
from psycopg2.extras import execute_values

from grids.basemap.choices import GreenKind, PlaceKind, RoadClass, WaterKind
from grids.basemap.tiles import changed
from grids.demo import CENTRE, DISTRICT_NAME, EW_ROADS, NS_ROADS, ROAD_SPACING_M, STREETS, CityPlan, build_plan
from grids.models import Building, GreenSpace, PlaceLabel, Road, Water

SOURCE = "demo"
CORE_RADIUS_M = 1500
ALLEY_NUMBERS = "一二三四五六七八九十"
LANDMARKS = (
    "璧山区人民政府",
    "璧山区人民医院",
    "璧山中学",
    "璧山站",
    "璧山体育中心",
    "东林广场",
    "璧山区图书馆",
    "璧山实验小学",
    "中医院",
    "汽车客运站",
    "璧山大剧院",
    "会展中心",
)
PARK_NAMES = ("秀湖公园", "东林公园", "凤凰山公园", "金剑山公园", "双星湿地公园", "观音岩公园", "文星公园")


class _Local:
    """Metres from the city centre ↔ longitude/latitude, through the plan."""

    def __init__(self, plan: CityPlan) -> None:
        self.plan = plan

    def line(self, points: list[tuple[float, float]]) -> LineString:
        return LineString([self.plan.to_lnglat(x, y) for x, y in points], srid=4326)

    def polygon(self, ring: list[tuple[float, float]]) -> Polygon:
        coords = [self.plan.to_lnglat(x, y) for x, y in ring]
        if coords[0] != coords[-1]:
            coords.append(coords[0])
        return Polygon(coords, srid=4326)

    def from_metres(self, geometry) -> Polygon | MultiPolygon:
        """A GEOS geometry built in local metres (buffers) → the same shape in WGS84."""
        if geometry.geom_type == "MultiPolygon":
            return MultiPolygon([self.from_metres(p) for p in geometry], srid=4326)
        rings = [[self.plan.to_lnglat(x, y) for x, y in ring.coords] for ring in geometry]
        return Polygon(*rings, srid=4326)


# ---- Roads ---------------------------------------------------------------------------------------------------


def _road_polylines(plan: CityPlan) -> list[tuple[str, list[tuple[float, float]]]]:
    """The plan's segments joined back into polylines with their class (weights 3, 1.5 and 1 in ``_build_roads``)."""
    lines: list[tuple[str, list[tuple[float, float]]]] = []
    previous = 0.0
    for (ax, ay, bx, by), cumulative in zip(plan.roads, plan.road_cumulative, strict=True):
        length = math.hypot(bx - ax, by - ay)
        weight = (cumulative - previous) / length if length else 1.0
        previous = cumulative
        kind = "arterial" if weight > 2.5 else "secondary" if weight > 1.25 else "alley"
        if lines and kind != "alley" and lines[-1][0] == kind and lines[-1][1][-1] == (ax, ay):
            lines[-1][1].append((bx, by))
        else:
            lines.append((kind, [(ax, ay), (bx, by)]))
    return lines


def _chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 35 → 三十五 (the numbers of 支路 and 巷, up to 99)."""
    digits = "零" + ALLEY_NUMBERS[:9]
    tens, ones = divmod(n, 10)
    if tens == 0:
        return digits[ones]
    return ("" if tens == 1 else digits[tens]) + "十" + ("" if ones == 0 else digits[ones])


def _main_road_name(points: list[tuple[float, float]]) -> tuple[str, bool]:
    """The name of the 500 m band the road runs in (as the demo addresses name it), and whether it runs N–S."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    vertical = (max(ys) - min(ys)) >= (max(xs) - min(xs))
    if vertical:
        return NS_ROADS[round(sum(xs) / len(xs) / ROAD_SPACING_M) % len(NS_ROADS)], True
    return EW_ROADS[round(sum(ys) / len(ys) / ROAD_SPACING_M) % len(EW_ROADS)], False


def _roads(plan: CityPlan, local: _Local, rng: random.Random) -> tuple[list[Road], list[list[tuple[float, float]]]]:
    """Road rows, and every road's points in metres (for keeping buildings off them)."""
    grouped: dict[tuple[str, str], list[LineString]] = defaultdict(list)
    metres: list[list[tuple[float, float]]] = []
    alleys: dict[str, int] = defaultdict(int)
    for kind, points in _road_polylines(plan):
        metres.append(points)
        name, _vertical = _main_road_name(points)
        if kind == "alley":
            mx, my = (points[0][0] + points[-1][0]) / 2, (points[0][1] + points[-1][1]) / 2
            in_core = math.hypot(mx, my) < CORE_RADIUS_M
            road_class = RoadClass.BRANCH if in_core else RoadClass.LANE
            if rng.random() < 0.25:  # not every lane has a name plate
                name = ""
            else:
                stem = name.removesuffix("大道").removesuffix("路").removesuffix("街")
                alleys[stem] += 1
                n = alleys[stem]
                number = _chinese_number(n)
                name = f"{stem}{number}支路" if in_core else f"{stem}{number}巷"
        else:
            road_class = RoadClass.ARTERIAL if kind == "arterial" else RoadClass.SECONDARY
        grouped[(name, road_class)].append(local.line(points))
    # An expressway across the city, south-west to north-east, slightly curved.
    xs = [p[0] for line in metres for p in line]
    ys = [p[1] for line in metres for p in line]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    highway = []
    for k in range(41):
        t = k / 40
        x, y = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
        bend = 600 * math.sin(t * math.pi)
        highway.append((x - bend * 0.6, y + bend * 0.8))
    metres.append(highway)
    grouped[("渝蓉高速", RoadClass.EXPRESSWAY)].append(local.line(highway))
    rows = [
        Road(name=name, road_class=road_class, geometry=MultiLineString(lines, srid=4326), source=SOURCE)
        for (name, road_class), lines in grouped.items()
        if name
    ]
    rows += [
        Road(name="", road_class=road_class, geometry=MultiLineString([line], srid=4326), source=SOURCE)
        for (name, road_class), lines in grouped.items()
        if not name
        for line in lines
    ]
    return rows, metres


# ---- Water and green space -------------------------------------------------------------------------------------


def _river_centre(bounds: tuple[float, float, float, float], rng: random.Random) -> list[tuple[float, float]]:
    _x0, _x1, y0, y1 = bounds
    phase, points = rng.uniform(0, math.pi), []
    for k in range(121):
        t = k / 120
        y = y1 + 300 - (y1 - y0 + 600) * t
        x = -700 + 900 * math.sin(t * 2.6 * math.pi + phase) + 250 * math.sin(t * 9 * math.pi)
        points.append((x, y))
    return points


def _water_and_green(plan: CityPlan, local: _Local, bounds, rng: random.Random):
    from django.contrib.gis.geos import LineString as MetresLine

    river = _river_centre(bounds, rng)
    river_line = MetresLine(river)
    water = [
        Water(name="璧南河", kind=WaterKind.RIVER, geometry=local.from_metres(river_line.buffer(28, 4)), source=SOURCE)
    ]
    belt = river_line.buffer(75, 4).difference(river_line.buffer(28, 4))
    green = [
        GreenSpace(name="璧南河滨河绿道", kind=GreenKind.GREEN, geometry=_multi(local.from_metres(belt)), source=SOURCE)
    ]
    # A stream from the east joining the river in the core.
    join = river[60]
    stream = [
        (join[0] + 3200 * (1 - k / 30), join[1] + 900 * math.sin(k / 30 * math.pi) - 400 * (1 - k / 30))
        for k in range(31)
    ]
    water.append(Water(name="青杠河", kind=WaterKind.CANAL, geometry=local.line(stream), source=SOURCE))
    # Parks in blocks between the main roads, spread over the city; the first holds a lake.
    parks, keep_off = [], [river_line.buffer(90)]
    candidates = [(c, r) for (c, r) in sorted(plan.cells)]
    rng.shuffle(candidates)
    for c, r in candidates:
        if len(parks) == len(PARK_NAMES):
            break
        cx = plan.origin_m[0] + (c + 0.5) * plan.side_m
        cy = plan.origin_m[1] - (r + 0.5) * plan.side_m
        if any(math.hypot(cx - px, cy - py) < 1400 for px, py, *_ in parks):
            continue
        w, h = rng.uniform(180, 320), rng.uniform(160, 280)
        box = Polygon.from_bbox((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
        if any(box.intersects(area) for area in keep_off):
            continue
        parks.append((cx, cy, w, h, box))
    labels = []
    for index, (cx, cy, w, h, box) in enumerate(parks):
        name = PARK_NAMES[index]
        green.append(GreenSpace(name=name, kind=GreenKind.PARK, geometry=_multi(local.from_metres(box)), source=SOURCE))
        labels.append(
            PlaceLabel(
                name=name, kind=PlaceKind.LANDMARK, geometry=Point(plan.to_lnglat(cx, cy), srid=4326), source=SOURCE
            )
        )
        if index == 0:
            lake = Point(cx + w * 0.1, cy - h * 0.1).buffer(min(w, h) * 0.28, 8)
            water.append(Water(name="秀湖", kind=WaterKind.LAKE, geometry=local.from_metres(lake), source=SOURCE))
    # What buildings keep off, as plain numbers (GEOS calls per lot would cost seconds): the river with its green
    # belt and the stream as centre lines with a clearance in metres, the parks as boxes.
    obstacles = {"lines": [(river, 85.0), (stream, 15.0)], "boxes": [(cx, cy, w, h) for cx, cy, w, h, _box in parks]}
    return water, green, labels, obstacles


def _multi(polygon) -> MultiPolygon:
    return polygon if polygon.geom_type == "MultiPolygon" else MultiPolygon(polygon, srid=4326)


# ---- Buildings ---------------------------------------------------------------------------------------------------


class _SegmentIndex:
    """Line segments in buckets (100 m by default): is a point within some metres (at most a bucket) of a line?"""

    def __init__(self, polylines: list[list[tuple[float, float]]], bucket: float = 100.0) -> None:
        self.BUCKET = bucket  # a segment is filed under the buckets it crosses and their neighbours
        self.buckets: dict[tuple[int, int], list[tuple[float, float, float, float]]] = defaultdict(list)
        for points in polylines:
            for (ax, ay), (bx, by) in itertools.pairwise(points):
                for key in self._keys(ax, ay, bx, by):
                    self.buckets[key].append((ax, ay, bx, by))

    def _keys(self, ax, ay, bx, by):
        b = self.BUCKET
        for i in range(math.floor(min(ax, bx) / b) - 1, math.floor(max(ax, bx) / b) + 2):
            for j in range(math.floor(min(ay, by) / b) - 1, math.floor(max(ay, by) / b) + 2):
                yield i, j

    def near(self, x: float, y: float, distance: float) -> bool:
        for ax, ay, bx, by in self.buckets.get((math.floor(x / self.BUCKET), math.floor(y / self.BUCKET)), ()):
            dx, dy = bx - ax, by - ay
            t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy or 1)))
            if math.hypot(x - ax - t * dx, y - ay - t * dy) < distance:
                return True
        return False


def _buildings(plan: CityPlan, roads: list[list[tuple[float, float]]], obstacles, rng) -> list[tuple[int, str]]:
    """(floors, footprint as hex EWKB) of every building: written by one INSERT, no GEOS object per building."""
    index = _SegmentIndex(roads)
    waters = [(_SegmentIndex([line], bucket=200.0), clearance) for line, clearance in obstacles["lines"]]
    boxes = obstacles["boxes"]
    rows = []
    lot = 42.0
    for cell in plan.cells.values():
        xs = [(lng - CENTRE[0]) * plan.metres_per_degree[0] for lng, _ in cell.corners]
        ys = [(lat - CENTRE[1]) * plan.metres_per_degree[1] for _, lat in cell.corners]
        cx, cy = sum(xs) / 4, sum(ys) / 4
        distance = math.hypot(cx, cy)
        density = 0.85 if distance < CORE_RADIUS_M else 0.55 if distance < 2 * CORE_RADIUS_M else 0.18
        for i in range(math.floor(min(xs) / lot), math.ceil(max(xs) / lot)):
            for j in range(math.floor(min(ys) / lot), math.ceil(max(ys) / lot)):
                x, y = (i + 0.5) * lot, (j + 0.5) * lot
                if rng.random() > density or cell is not plan.cell_at(*plan.to_lnglat(x, y)):
                    continue
                w, h = rng.uniform(14, 30), rng.uniform(10, 22)
                reach = max(w, h) / 2
                if index.near(x, y, 12 + reach):
                    continue
                if any(water.near(x, y, clearance + 12 + reach) for water, clearance in waters):
                    continue
                if any(
                    abs(x - bx) < bw / 2 + 12 + reach and abs(y - by) < bh / 2 + 12 + reach for bx, by, bw, bh in boxes
                ):
                    continue
                angle = rng.uniform(-0.25, 0.25)
                cos, sin = math.cos(angle), math.sin(angle)
                ring = [
                    plan.to_lnglat(x + dx * cos - dy * sin, y + dx * sin + dy * cos)
                    for dx, dy in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2))
                ]
                floors = (
                    rng.choice((2, 3, 4, 6, 6, 8, 11, 18, 24, 32))
                    if distance < 2 * CORE_RADIUS_M
                    else rng.choice((1, 2, 2, 3, 4))
                )
                rows.append((floors, _ewkb_multipolygon(ring)))
    return rows


def _ewkb_multipolygon(ring: list[tuple[float, float]]) -> str:
    """A one-polygon MultiPolygon in SRID 4326 as hex EWKB (little-endian), ring closed here."""
    closed = [*ring, ring[0]]
    polygon = struct.pack(f"<BIII{2 * len(closed)}d", 1, 3, 1, len(closed), *itertools.chain.from_iterable(closed))
    return "0106000020E6100000" + struct.pack("<I", 1).hex() + polygon.hex()


# ---- Place labels --------------------------------------------------------------------------------------------


def _place_labels(plan: CityPlan, rng: random.Random) -> list[PlaceLabel]:
    def middle(cells) -> Point:
        corners = [corner for cr in cells for corner in plan.cells[cr].corners]
        return Point(sum(c[0] for c in corners) / len(corners), sum(c[1] for c in corners) / len(corners), srid=4326)

    labels = [PlaceLabel(name=DISTRICT_NAME, kind=PlaceKind.DISTRICT, geometry=middle(list(plan.cells)), source=SOURCE)]
    for s_index, (_code, name, _office, _n) in enumerate(STREETS):
        cells = [cr for cr, cell in plan.cells.items() if cell.street == s_index]
        labels.append(PlaceLabel(name=name, kind=PlaceKind.STREET, geometry=middle(cells), source=SOURCE))
    for community in plan.communities:
        labels.append(
            PlaceLabel(
                name=community["name"], kind=PlaceKind.COMMUNITY, geometry=middle(community["cells"]), source=SOURCE
            )
        )
    core_cells = sorted(plan.cells, key=lambda cr: math.hypot(*_cell_metres(plan, cr)))[:120]
    for name in LANDMARKS:
        c, r = rng.choice(core_cells)
        cell = plan.cells[(c, r)]
        lng = sum(p[0] for p in cell.corners) / 4
        lat = sum(p[1] for p in cell.corners) / 4
        labels.append(
            PlaceLabel(name=name, kind=PlaceKind.LANDMARK, geometry=Point(lng, lat, srid=4326), source=SOURCE)
        )
    return labels


def _cell_metres(plan: CityPlan, cr: tuple[int, int]) -> tuple[float, float]:
    c, r = cr
    return plan.origin_m[0] + (c + 0.5) * plan.side_m, plan.origin_m[1] - (r + 0.5) * plan.side_m


# ---- Writing ---------------------------------------------------------------------------------------------------


def seed_base_layers(seed: int = 1) -> dict[str, int]:
    """Seed the demo city's base layers; a layer already holding demo features is left alone. Returns what was
    added per layer."""
    plan = build_plan(seed)
    local = _Local(plan)
    rng = random.Random(f"{seed}:basemap")
    road_rows, road_metres = _roads(plan, local, rng)
    xs = [p[0] for line in road_metres for p in line]
    ys = [p[1] for line in road_metres for p in line]
    water, green, park_labels, obstacles = _water_and_green(plan, local, (min(xs), max(xs), min(ys), max(ys)), rng)
    layers = {
        "roads": (Road, road_rows),
        "water": (Water, water),
        "green": (GreenSpace, green),
        "buildings": (Building, None),  # generated only when missing: it is the slow one
        "labels": (PlaceLabel, [*_place_labels(plan, rng), *park_labels]),
    }
    added = {}
    with transaction.atomic():
        for key, (model, rows) in layers.items():
            if model.objects.filter(source=SOURCE).exists():
                added[key] = 0
                continue
            if rows is None:
                footprints = _buildings(plan, road_metres, obstacles, random.Random(f"{seed}:buildings"))
                with connection.cursor() as cursor:
                    execute_values(
                        cursor.cursor,
                        "INSERT INTO grids_building (name, source, floors, geometry) VALUES %s",
                        [(floors, ewkb) for floors, ewkb in footprints],
                        template=f"('', '{SOURCE}', %s, ST_GeomFromEWKB(decode(%s, 'hex')))",
                        page_size=2000,
                    )
                added[key] = len(footprints)
                continue
            model.objects.bulk_create(rows, batch_size=2000)
            added[key] = len(rows)
    if any(added.values()):
        changed()
        with connection.cursor() as cursor:
            for table in ("grids_road", "grids_water", "grids_greenspace", "grids_building", "grids_placelabel"):
                cursor.execute(f"ANALYZE {table}")
    return added
