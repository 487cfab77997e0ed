from . import basemap, spatial, taxonomy  # noqa: F401  (registers the admin classes)
