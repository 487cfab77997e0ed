"""The base map of the demo city: regions, 548 unit grids, duty grids and ~320,000 components (preset ``bishan``).

Shape of the Bishan seed (domain.md §1–2): 33.18 km² managed area, 548 unit grids (万米单元网格) tiling it without
gaps or overlaps, 7 streets/towns with their communities under district 500120, 319,996 components (管理部件) in 87
minor classes of the 5 component majors of GB/T 47678.5-2026.

How it is built, and why:

- *Grids* are cells of a lattice whose vertices are jittered; neighbouring cells share the very same jittered
  vertices, so they share edges exactly and the tiling has no gap or overlap by construction. The 548 cells are the
  ones closest to the centre under an irregular star-shaped outline; the lattice is then scaled so that the total
  area is 33.18 km². Streets and communities are contiguous blocks of cells grown from spread-out seed cells.
- *Components* are scattered along a synthetic road network (arterials, secondary roads with gaps, alleys dense in
  the urban core), a few metres off the centre line, or inside cells for park-like classes. The generator knows
  which cell each point falls in, so ``grid_id`` is written in the same pass.
- *Loading* goes through PostgreSQL COPY with geometries as hex EWKB: the full city loads in seconds.
- *Determinism and idempotence*: every class has its own random stream seeded by (seed, class code), so component
  number *k* of a class is the same whatever the scale; a re-run only adds the serials not yet stored, and the grids
  only if the district has none.
"""

from __future__ import annotations

import bisect
import io
import itertools
import math
import random
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import connection, transaction

# ---- The preset -----------------------------------------------------------------------------------------------

DISTRICT_CODE = "500120"
DISTRICT_NAME = "璧山区"
CENTRE = (106.22, 29.59)  # lng, lat: Bishan's urban core
MANAGED_AREA_M2 = 33.18e6
GRID_COUNT = 548
FULL_COMPONENT_COUNT = 319_996
GRIDS_VALID_FROM = date(2019, 1, 1)

# (3-digit code, name, street-office department code, community count). Codes 0xx are streets, 1xx towns
# (GB/T 10114 convention); the centre street takes the urban core.
STREETS: list[tuple[str, str, str, int]] = [
    ("001", "璧城街道", "st-bicheng", 5),
    ("002", "璧泉街道", "st-biquan", 4),
    ("003", "青杠街道", "st-qinggang", 4),
    ("004", "来凤街道", "st-laifeng", 4),
    ("005", "丁家街道", "st-dingjia", 3),
    ("006", "大路街道", "st-dalu", 3),
    ("101", "河边镇", "st-hebian", 4),
]
COMMUNITY_NAMES = (
    "东林 南门 文星 御湖 城北 金剑 双星 大南 黛山 红旗 塘坊 白鹤 天星 凤凰 青龙 秀湖 璧南 东关 西城 兴隆 "
    "永嘉 龙泉 石桥 广普 三合 鹿鸣 观音 梅江 马鞍 新华 桂花 五一 河滨 书院 翰林"
).split()
VILLAGE_NAMES = "石院 龙井 白果 高山 双河 狮子 大兴 新胜 青木 古佛".split()


@dataclass(frozen=True)
class ComponentClass:
    """One of the 87 demo classes: relative weight, where it stands, its shape, and who looks after it.

    Departments are ``core.demo.DEPARTMENTS`` codes; ``"street"`` means the street office of the component's street.
    """

    code: str
    weight: float
    placement: str = "road"  # "road": along streets; "area": anywhere inside a cell
    shape: str = "point"  # "point", "line" (a short stretch along the road) or "polygon" (small rectangle)
    maintainer: str = "municipal"
    supervising: str = "municipal"
    owner: str | None = None  # defaults to the maintainer


C = ComponentClass
# Weights are per 10,000 components; classes whose names say they are many (covers, lamps, street trees, bins,
# signs) dominate, sculptures, public toilets and monuments are rare.
COMPONENT_CLASSES: list[ComponentClass] = [
    # 01 市政公用设施
    C("01001", 300, maintainer="water", supervising="water-affairs"),  # 供水井盖
    C("01002", 380, maintainer="drainage", supervising="construction"),  # 污水井盖
    C("01003", 450, maintainer="drainage", supervising="construction"),  # 雨水井盖
    C("01004", 520, maintainer="drainage", supervising="construction"),  # 雨水箅子
    C("01005", 180, maintainer="power", supervising="construction"),  # 电力井盖
    C("01006", 140, maintainer="lighting", supervising="municipal"),  # 路灯井盖
    C("01007", 260, maintainer="telecom", supervising="telecom"),  # 通信井盖
    C("01008", 60, maintainer="telecom", supervising="telecom"),  # 电视井盖
    C("01009", 70, maintainer="telecom", supervising="telecom"),  # 网络井盖
    C("01011", 150, maintainer="gas", supervising="construction"),  # 燃气井盖
    C("01012", 30, maintainer="traffic-police", supervising="traffic-police"),  # 公安井盖
    C("01013", 60, maintainer="water", supervising="water-affairs"),  # 消防设施 (hydrants)
    C("01015", 25, maintainer="traffic-police", supervising="traffic-police"),  # 信号灯电源井盖
    C("01017", 50, maintainer="power", supervising="construction"),  # 电缆井盖
    C("01018", 40, maintainer="sanitation", supervising="municipal"),  # 化粪池井盖
    C("01023", 40, maintainer="municipal", supervising="municipal"),  # 不明井盖
    C("01026", 80, shape="line", maintainer="drainage", supervising="construction"),  # 沟槽盖板
    C("01027", 60, maintainer="telecom", supervising="telecom"),  # 通信交接箱
    C("01028", 40, maintainer="power", supervising="construction"),  # 电力设施
    C("01030", 200, maintainer="power", supervising="construction"),  # 电力立杆
    C("01031", 150, maintainer="telecom", supervising="telecom"),  # 通信立杆
    C("01034", 20, maintainer="municipal", supervising="municipal"),  # 不明立杆
    C("01037", 800, maintainer="lighting", supervising="municipal"),  # 路灯
    C("01038", 80, maintainer="lighting", supervising="municipal"),  # 地灯
    C("01039", 150, maintainer="lighting", supervising="municipal"),  # 景观灯
    C("01040", 8, maintainer="market", supervising="market", owner="property"),  # 报刊亭
    C("01042", 6, maintainer="telecom", supervising="telecom"),  # 邮筒
    C("01046", 25, "area", maintainer="street", supervising="gardens"),  # 户外健身设施
    C("01048", 60, maintainer="power", supervising="construction"),  # 变压器（箱）
    C("01049", 20, maintainer="gas", supervising="construction"),  # 燃气调压站（箱）
    C("01050", 90, maintainer="traffic-police", supervising="traffic-police"),  # 监控电子眼设施
    C("01051", 5, maintainer="traffic-police", supervising="traffic-police"),  # 治安岗亭
    C("01052", 10, "area", maintainer="gardens", supervising="gardens"),  # 休息亭
    C("01054", 40, maintainer="power", supervising="construction", owner="property"),  # 充电桩
    C("01059", 15, maintainer="street", supervising="sanitation"),  # 旧衣物回收箱
    C("01060", 40, maintainer="lighting", supervising="municipal"),  # 路灯配电箱
    C("01065", 40, maintainer="street", supervising="enforcement"),  # 管理责任公示牌
    C("01070", 15, "area", "line", maintainer="water-affairs", supervising="water-affairs"),  # 水域护栏
    C("01073", 15, "area", maintainer="drainage", supervising="water-affairs"),  # 雨污水排放口
    C("01075", 30, maintainer="property", supervising="market"),  # 快递柜
    C("01077", 30, maintainer="municipal", supervising="municipal"),  # 综合杆
    # 02 交通设施
    C("02001", 10, "area", "polygon", maintainer="transport", supervising="transport", owner="property"),  # 停车场
    C("02003", 30, maintainer="transport", supervising="transport"),  # 停车计费设备
    C("02004", 60, maintainer="transport", supervising="transport"),  # 公交站设施
    C("02005", 8, maintainer="transport", supervising="transport"),  # 出租车停靠站
    C("02006", 3, maintainer="municipal", supervising="construction"),  # 过街天桥
    C("02007", 2, maintainer="municipal", supervising="construction"),  # 地下通道
    C("02009", 4, maintainer="municipal", supervising="construction"),  # 跨河桥
    C("02010", 400, maintainer="traffic-police", supervising="traffic-police"),  # 交通标志牌及标线
    C("02012", 120, maintainer="municipal", supervising="planning"),  # 路名牌
    C("02013", 30, maintainer="municipal", supervising="planning"),  # 地名牌
    C("02014", 80, maintainer="traffic-police", supervising="traffic-police"),  # 交通信号灯
    C("02017", 300, shape="line", maintainer="municipal", supervising="transport"),  # 交通护栏
    C("02018", 20, maintainer="transport", supervising="transport"),  # 防撞桶
    C("02020", 60, maintainer="municipal", supervising="municipal"),  # 人行横道桩
    C("02021", 350, maintainer="municipal", supervising="municipal"),  # 便道桩
    C("02025", 40, maintainer="transport", supervising="transport"),  # 非机动车停放点
    C("02027", 30, maintainer="transport", supervising="transport"),  # 存车支架
    C("02033", 25, maintainer="transport", supervising="transport"),  # 交通反视镜
    C("02034", 60, maintainer="municipal", supervising="construction"),  # 无障碍设施
    C("02038", 500, maintainer="street", supervising="planning"),  # 门（楼号）牌
    C("02043", 50, shape="line", maintainer="transport", supervising="transport"),  # 减速带
    # 03 市容环卫设施
    C("03001", 4, "area", maintainer="sanitation", supervising="sanitation"),  # 公共厕所
    C("03002", 12, maintainer="sanitation", supervising="sanitation"),  # 公厕指示牌
    C("03003", 30, "area", maintainer="sanitation", supervising="sanitation"),  # 化粪池
    C("03004", 25, "area", maintainer="sanitation", supervising="sanitation"),  # 垃圾间（楼）
    C("03005", 600, maintainer="sanitation", supervising="sanitation"),  # 垃圾箱
    C("03006", 150, maintainer="property", supervising="enforcement"),  # 户外广告
    C("03007", 400, maintainer="street", supervising="enforcement"),  # 牌匾标识
    C("03008", 60, maintainer="street", supervising="street"),  # 宣传栏
    C("03009", 2, "area", maintainer="environment", supervising="environment"),  # 气象监测站
    C("03010", 3, "area", maintainer="environment", supervising="environment"),  # 环保监测站
    C("03014", 20, maintainer="sanitation", supervising="sanitation"),  # 环卫工具间（箱）
    C("03016", 30, maintainer="sanitation", supervising="sanitation"),  # 烟头收集器或灭烟处
    # 04 园林绿化设施
    C("04001", 5, "area", maintainer="gardens", supervising="gardens"),  # 古树名木
    C("04002", 2500, maintainer="gardens", supervising="gardens"),  # 行道树
    C("04003", 300, "area", maintainer="gardens", supervising="gardens"),  # 独立树
    C("04004", 300, maintainer="gardens", supervising="gardens"),  # 护树设施
    C("04005", 80, maintainer="gardens", supervising="gardens"),  # 花架花钵
    C("04006", 2, "area", maintainer="gardens", supervising="gardens"),  # 雕塑
    C("04007", 120, maintainer="gardens", supervising="gardens"),  # 街头座椅
    C("04008", 150, shape="line", maintainer="gardens", supervising="gardens"),  # 绿地护栏
    C("04009", 60, "area", maintainer="gardens", supervising="gardens"),  # 绿地附属设施
    C("04011", 700, maintainer="gardens", supervising="gardens"),  # 树池树穴
    C("04013", 200, "area", "polygon", maintainer="gardens", supervising="gardens"),  # 绿地
    # 05 其他管理部件
    C("05003", 3, "area", maintainer="market", supervising="market", owner="property"),  # 车辆加油（气、电）站
    C("05009", 2, "area", maintainer="planning", supervising="planning"),  # 文物古迹
]
COVER_CODES = {"01001", "01002", "01003", "01005", "01006", "01007", "01008", "01009", "01011", "01012"}
COVER_CODES |= {"01015", "01017", "01018", "01023"}
TREE_CODES = {"04001", "04002", "04003"}


class TaxonomyMissing(RuntimeError):
    """The component classes of the default standard are not loaded (they come with ``migrate``)."""


# ---- Geometry of the city: lattice, outline, streets and communities ------------------------------------------


@dataclass
class Cell:
    """One unit grid being generated: lattice position, corners (NW, NE, SE, SW as lng/lat), its blocks."""

    col: int
    row: int
    corners: tuple[tuple[float, float], ...]
    street: int = -1
    community: int = -1
    code: str = ""
    grid_id: int | None = None


@dataclass
class CityPlan:
    """Everything geometric about the city, rebuilt identically from the seed."""

    cells: dict[tuple[int, int], Cell]
    side_m: float
    origin_m: tuple[float, float]  # metres of the lattice's (col 0, row 0) vertex from the centre
    metres_per_degree: tuple[float, float]
    communities: list[dict] = field(default_factory=list)  # per street: code, name, cells
    roads: list[tuple[float, float, float, float]] = field(default_factory=list)  # segments in metres
    road_cumulative: list[float] = field(default_factory=list)  # weighted lengths, for sampling

    def to_lnglat(self, x: float, y: float) -> tuple[float, float]:
        mx, my = self.metres_per_degree
        return round(CENTRE[0] + x / mx, 7), round(CENTRE[1] + y / my, 7)

    def cell_at(self, lng: float, lat: float) -> Cell | None:
        """The cell strictly containing the point (as stored: rounded degrees), or None outside the district."""
        mx, my = self.metres_per_degree
        x, y = (lng - CENTRE[0]) * mx, (lat - CENTRE[1]) * my
        col = math.floor((x - self.origin_m[0]) / self.side_m)
        row = math.floor((self.origin_m[1] - y) / self.side_m)
        for dc, dr in ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (1, -1), (-1, 1), (1, 1)):
            cell = self.cells.get((col + dc, row + dr))
            if cell is not None and _inside_convex(cell.corners, lng, lat):
                return cell
        return None


def metres_per_degree(lat: float) -> tuple[float, float]:
    """Metres per degree of longitude and latitude on WGS84 at this latitude (series expansion, < 1 mm/km error)."""
    phi = math.radians(lat)
    m_lat = 111132.954 - 559.822 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)
    m_lng = 111412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi) + 0.118 * math.cos(5 * phi)
    return m_lng, m_lat


def _inside_convex(corners: tuple[tuple[float, float], ...], x: float, y: float) -> bool:
    """Strictly inside a clockwise convex polygon (points on an edge count as outside: they are resampled)."""
    n = len(corners)
    for i in range(n):
        x1, y1 = corners[i]
        x2, y2 = corners[(i + 1) % n]
        if (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1) >= 0:
            return False
    return True


def _shoelace(points: list[tuple[float, float]]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True))) / 2


def build_plan(seed: int, grid_count: int = GRID_COUNT, area_m2: float = MANAGED_AREA_M2) -> CityPlan:
    """The lattice, outline, streets, communities, codes and roads of the city for this seed."""
    rng = random.Random(f"{seed}:outline")
    cols = math.ceil(math.sqrt(grid_count * 1.35))
    rows = math.ceil(cols * 1.3)
    side = math.sqrt(area_m2 / grid_count)
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(3)]

    def outline_distance(c: int, r: int) -> float:
        x, y = (c + 0.5 - cols / 2), (rows / 2 - r - 0.5) / 1.3
        theta = math.atan2(y, x)
        wobble = 1 + 0.12 * math.sin(2 * theta + phases[0]) + 0.08 * math.sin(3 * theta + phases[1])
        wobble += 0.05 * math.sin(5 * theta + phases[2])
        return math.hypot(x, y) / wobble

    chosen = sorted(((c, r) for c in range(cols) for r in range(rows)), key=lambda cr: (outline_distance(*cr), cr))
    chosen = chosen[:grid_count]
    # Jitter every vertex once; both cells on either side of an edge use the same two vertices.
    jitter = 0.18 * side
    vertices = {
        (i, j): (
            (i - cols / 2) * side + rng.uniform(-jitter, jitter),
            (rows / 2 - j) * side + rng.uniform(-jitter, jitter),
        )
        for i in range(cols + 1)
        for j in range(rows + 1)
    }

    def quad(c: int, r: int) -> list[tuple[float, float]]:
        return [vertices[(c, r)], vertices[(c + 1, r)], vertices[(c + 1, r + 1)], vertices[(c, r + 1)]]

    scale = math.sqrt(area_m2 / sum(_shoelace(quad(c, r)) for c, r in chosen))
    mpd = metres_per_degree(CENTRE[1])
    plan = CityPlan(
        cells={},
        side_m=side * scale,
        origin_m=(-cols / 2 * side * scale, rows / 2 * side * scale),
        metres_per_degree=mpd,
    )
    for c, r in sorted(chosen, key=lambda cr: (cr[1], cr[0])):
        corners = tuple(plan.to_lnglat(x * scale, y * scale) for x, y in quad(c, r))
        plan.cells[(c, r)] = Cell(c, r, corners)
    _assign_blocks(plan, rng)
    _build_roads(plan, random.Random(f"{seed}:roads"))
    return plan


def _grow_regions(
    cells: list[tuple[int, int]], count: int, rng: random.Random, weights: list[float] | None = None
) -> list[list[tuple[int, int]]]:
    """Split a connected set of cells into ``count`` contiguous regions grown from spread-out seed cells."""
    pool = set(cells)
    ordered = sorted(pool, key=lambda cr: (cr[1], cr[0]))
    seeds = [rng.choice(ordered)]
    while len(seeds) < count:  # farthest-point sampling: seeds well apart
        seeds.append(max(ordered, key=lambda cr: (min(abs(cr[0] - s[0]) + abs(cr[1] - s[1]) for s in seeds), cr)))
    regions = [[s] for s in seeds]
    owner = {s: i for i, s in enumerate(seeds)}
    frontiers: list[list[tuple[int, int]]] = [[s] for s in seeds]
    weights = weights or [1.0] * count
    while len(owner) < len(pool):
        live = [i for i in range(count) if frontiers[i]]
        if not live:  # an island unreachable from every seed (cannot happen for a connected outline)
            break
        i = rng.choices(live, weights=[weights[k] for k in live])[0]
        grown = False
        while frontiers[i] and not grown:
            c, r = frontiers[i][rng.randrange(len(frontiers[i]))]
            free = [n for n in ((c + 1, r), (c - 1, r), (c, r + 1), (c, r - 1)) if n in pool and n not in owner]
            if not free:
                frontiers[i].remove((c, r))
                continue
            nxt = rng.choice(free)
            owner[nxt] = i
            regions[i].append(nxt)
            frontiers[i].append(nxt)
            grown = True
    return regions


def _reading_order(cells: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """North→south, then west→east (rows grow southwards, columns eastwards)."""
    return sorted(cells, key=lambda cr: (cr[1], cr[0]))


def _assign_blocks(plan: CityPlan, rng: random.Random) -> None:
    """Streets as contiguous blocks (the one nearest the centre is the urban core), then communities inside them,
    then the 15-digit grid codes: serial west→east, north→south inside each community."""
    keys = list(plan.cells)
    centre = (sum(c for c, _ in keys) / len(keys), sum(r for _, r in keys) / len(keys))
    streets = _grow_regions(keys, len(STREETS), rng, weights=[1.3, 1.1, 1.0, 1.0, 0.9, 0.9, 1.2])
    streets.sort(key=lambda cells: min(math.hypot(c - centre[0], r - centre[1]) for c, r in cells))
    core, rest = streets[0], sorted(streets[1:], key=lambda cells: _reading_order(cells)[0])
    for s_index, street_cells in enumerate([core, *rest]):
        code, _name, _office, n_communities = STREETS[s_index]
        groups = _grow_regions(street_cells, n_communities, rng)
        groups.sort(key=lambda cells: _reading_order(cells)[0])
        is_town = code.startswith("1")
        for k, group in enumerate(groups):
            if is_town and k > 0:  # a town: its seat is a community, the rest are villages (村, codes 2xx)
                c_code, c_name = f"{200 + k:03d}", VILLAGE_NAMES[(s_index * 3 + k) % len(VILLAGE_NAMES)] + "村"
            else:
                c_code = f"{k + 1:03d}"
                c_name = COMMUNITY_NAMES[(s_index * 5 + k) % len(COMMUNITY_NAMES)] + "社区"
            full = f"{DISTRICT_CODE}{code}{c_code}"
            for serial, cr in enumerate(_reading_order(group), 1):
                cell = plan.cells[cr]
                cell.street, cell.community, cell.code = s_index, len(plan.communities), f"{full}{serial:03d}"
            plan.communities.append({"code": full, "name": c_name, "street": s_index, "cells": group})


def _build_roads(plan: CityPlan, rng: random.Random) -> None:
    """A road network in metres: wavy arterials every ~1 km, broken secondary roads, alleys dense near the core.
    Each segment is weighted by length × road importance, so sampling puts most components on busy roads."""
    xs = [plan.origin_m[0] + c * plan.side_m for c, _ in plan.cells]
    ys = [plan.origin_m[1] - r * plan.side_m for _, r in plan.cells]
    x0, x1, y0, y1 = min(xs), max(xs) + plan.side_m, min(ys) - plan.side_m, max(ys)
    segments: list[tuple[float, float, float, float, float]] = []

    def wavy(vertical: bool, at: float, weight: float, keep: float) -> None:
        lo, hi = (y0, y1) if vertical else (x0, x1)
        amplitude, phase, wavelength = rng.uniform(20, 90), rng.uniform(0, 2 * math.pi), rng.uniform(500, 1200)
        steps = int((hi - lo) / 80) + 1
        points = []
        for k in range(steps + 1):
            t = lo + (hi - lo) * k / steps
            off = at + amplitude * math.sin(t / wavelength * 2 * math.pi + phase)
            points.append((off, t) if vertical else (t, off))
        for (ax, ay), (bx, by) in itertools.pairwise(points):
            distance_to_core = math.hypot((ax + bx) / 2, (ay + by) / 2)
            if rng.random() < keep * (1.0 if distance_to_core < 1500 else 0.7):
                segments.append((ax, ay, bx, by, weight))

    for vertical in (True, False):
        lo, hi = (x0, x1) if vertical else (y0, y1)
        at = lo + rng.uniform(300, 700)
        while at < hi:
            wavy(vertical, at, 3.0, 1.0)  # arterial (主干道)
            if at + 450 < hi:
                wavy(vertical, at + 450 + rng.uniform(-80, 80), 1.5, 0.75)  # secondary road (次干道)
            at += rng.uniform(850, 1100)
    for _ in range(int(len(plan.cells) * 0.9)):  # alleys (支路/街巷), dense in the urban core
        cx, cy = rng.gauss(0, 1400), rng.gauss(0, 1800)
        angle, length = rng.uniform(0, math.pi), rng.uniform(150, 400)
        dx, dy = math.cos(angle) * length / 2, math.sin(angle) * length / 2
        segments.append((cx - dx, cy - dy, cx + dx, cy + dy, 1.0))
    total = 0.0
    for ax, ay, bx, by, weight in segments:
        total += math.hypot(bx - ax, by - ay) * weight
        plan.roads.append((ax, ay, bx, by))
        plan.road_cumulative.append(total)


# ---- Addresses ------------------------------------------------------------------------------------------------

# The demo's roads run north-south and east-west about every 500 m (arterials and secondary roads, see
# ``_build_roads``); each band of 500 m carries one road name, and house numbers count 20 m steps along it, odd on one
# side, even on the other. Synthetic, but the same point always gets the same address and neighbours share a road.
DISTRICT_NAME = "璧山区"
NS_ROADS = ("璧泉路", "东林大道", "文星路", "金剑路", "御湖路", "永嘉大道", "双星大道", "黛山大道", "璧青路", "南河路")
EW_ROADS = ("奥康大道", "迎宾大道", "璧城路", "来凤路", "大兴路", "丁家路", "青杠路", "广普路", "大路街", "河边路")
ROAD_SPACING_M = 500.0


def demo_address(lng: float, lat: float) -> str:
    """璧山区XX路NN号 for a point of the demo city: the nearer of the two roads of its 500 m band."""
    mx, my = metres_per_degree(CENTRE[1])
    x, y = (lng - CENTRE[0]) * mx, (lat - CENTRE[1]) * my
    off_x = abs(x / ROAD_SPACING_M - round(x / ROAD_SPACING_M))
    off_y = abs(y / ROAD_SPACING_M - round(y / ROAD_SPACING_M))
    if off_x <= off_y:  # nearer a north-south road: numbered from south to north
        road, along, side = NS_ROADS[round(x / ROAD_SPACING_M) % len(NS_ROADS)], y, x
    else:
        road, along, side = EW_ROADS[round(y / ROAD_SPACING_M) % len(EW_ROADS)], x, y
    step = int((along + 5000) // 20) // 2 * 2 + 1  # odd
    number = step + (1 if side % ROAD_SPACING_M > ROAD_SPACING_M / 2 else 0)
    return f"{DISTRICT_NAME}{road}{max(number, 1)}号"


# ---- Components ------------------------------------------------------------------------------------------------


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


def _component_rows(
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
                if not _inside_convex(cell.corners, lng, lat):
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


BULK_LOAD_THRESHOLD = 50_000


@contextmanager
def _without_secondary_indexes(table: str) -> Iterator[None]:
    """For a large load into a (nearly) empty table: drop its secondary indexes and foreign keys, load, and put
    them back exactly as they were (definitions read from the catalogue), all inside the caller's transaction.

    Why: maintaining two GiST and nine B-tree indexes row by row, and 1.6 million deferred foreign-key checks at
    commit, cost twice as much as the COPY itself; rebuilding them once is sorted and fast. Unique and primary-key
    indexes stay, so duplicates are still refused during the load. Holds an exclusive lock on the table until
    commit: seeding is an offline operation."""
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


def _copy_rows(rows: Iterator[str], chunk: int = 50_000) -> int:
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


# ---- Writing it to the database -------------------------------------------------------------------------------

EXTRA_COLLECTORS = [(f"collector{k}", f"采集员{k:02d}") for k in range(2, len(STREETS) + 1)]


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
    from core.demo import DEMO_PASSWORD
    from core.models import Department, User
    from grids.models import DutyGrid, UnitGrid

    collectors: list[User | None] = [User.objects.filter(username="collector").first()]
    company = Department.objects.filter(code="collection-co").first()
    password_hash = None
    for username, full_name in EXTRA_COLLECTORS:
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


def _lookup_ids(plan: CityPlan) -> dict[str, int | None]:
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
    ids = _lookup_ids(plan)
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
                yield from _component_rows(plan, cls, counts[cls.code], skip, seed, ids)

    expected = sum(max(counts[c.code] - stored.get(c.code, 0), 0) for c in COMPONENT_CLASSES)
    if expected >= BULK_LOAD_THRESHOLD and expected >= sum(stored.values()):
        with _without_secondary_indexes("grids_component"):
            written = _copy_rows(rows())
    else:
        written = _copy_rows(rows())
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
