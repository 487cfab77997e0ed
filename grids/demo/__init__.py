"""The base map of the demo city: regions, 548 unit grids, duty grids and ~320,000 components (preset ``bishan``).

Shape of the Bishan seed (docs/domain.md §1–2): 33.18 km² managed area, 548 unit grids (万米单元网格) tiling it without
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

The package: ``preset`` (the numbers and classes of the Bishan preset), ``plan`` (grids, streets, communities,
roads), ``addresses``, ``components`` (generated rows, COPY), ``seeding`` (``seed_base_map``). Other modules import
from here (``from grids.demo import seed_base_map``).
"""

from grids.demo.addresses import EW_ROADS, NS_ROADS, ROAD_SPACING_M, demo_address
from grids.demo.components import component_counts, component_rows
from grids.demo.plan import CityPlan, build_plan, metres_per_degree
from grids.demo.preset import (
    CENTRE,
    COMPONENT_CLASSES,
    COVER_CODES,
    DISTRICT_CODE,
    DISTRICT_NAME,
    GRID_COUNT,
    MANAGED_AREA_M2,
    STREETS,
    TaxonomyMissing,
)
from grids.demo.seeding import lookup_ids, seed_base_map

__all__ = [
    "CENTRE",
    "COMPONENT_CLASSES",
    "COVER_CODES",
    "DISTRICT_CODE",
    "DISTRICT_NAME",
    "EW_ROADS",
    "GRID_COUNT",
    "MANAGED_AREA_M2",
    "NS_ROADS",
    "ROAD_SPACING_M",
    "STREETS",
    "CityPlan",
    "TaxonomyMissing",
    "build_plan",
    "component_counts",
    "component_rows",
    "demo_address",
    "lookup_ids",
    "metres_per_degree",
    "seed_base_map",
]
