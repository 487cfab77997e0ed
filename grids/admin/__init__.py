from . import spatial, taxonomy  # noqa: F401  (registers the admin classes)
