"""The grids admin: regions, grids and components (``spatial``); the taxonomy's pages live with the taxonomy."""

from grids.admin import spatial  # noqa: F401  (registers the admin classes)
from grids.taxonomy import admin as taxonomy_admin  # noqa: F401  (registers the taxonomy's admin classes)
