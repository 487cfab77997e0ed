"""The geometry of the demo city: a jittered lattice whose cells tile an irregular outline exactly, grown into
streets and communities, and a synthetic road network (``build_plan``)."""

import itertools
import math
import random
from dataclasses import dataclass, field

from grids.demo.preset import (
    CENTRE,
    COMMUNITY_NAMES,
    DISTRICT_CODE,
    GRID_COUNT,
    MANAGED_AREA_M2,
    STREETS,
    VILLAGE_NAMES,
)


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
            if cell is not None and inside_convex(cell.corners, lng, lat):
                return cell
        return None


def metres_per_degree(lat: float) -> tuple[float, float]:
    """Metres per degree of longitude and latitude on WGS84 at this latitude (series expansion, < 1 mm/km error)."""
    phi = math.radians(lat)
    m_lat = 111132.954 - 559.822 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)
    m_lng = 111412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi) + 0.118 * math.cos(5 * phi)
    return m_lng, m_lat


def inside_convex(corners: tuple[tuple[float, float], ...], x: float, y: float) -> bool:
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
