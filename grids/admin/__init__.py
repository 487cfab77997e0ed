from grids.patrol import admin as patrol_admin  # noqa: F401  (registers the admin classes)

from . import basemap, spatial, taxonomy  # noqa: F401  (registers the admin classes)
