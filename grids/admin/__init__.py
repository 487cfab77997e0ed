"""The grids admin: regions, grids and components (``spatial``), the base layers (``basemap``); the taxonomy's and
the patrol's pages live with them."""

from grids.admin import basemap, spatial  # noqa: F401  (registers the admin classes)
from grids.patrol import admin as patrol_admin  # noqa: F401  (registers the patrol's admin classes)
from grids.taxonomy import admin as taxonomy_admin  # noqa: F401  (registers the taxonomy's admin classes)
