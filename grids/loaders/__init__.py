"""Importing base data from files: unit grids (GeoJSON, Shapefile) and components (GeoJSON, CSV, Excel).

Every importer validates the whole file first and reports each bad row with its number and reason; by default
nothing is written when any row is bad (all-or-nothing), ``skip_invalid`` loads the good rows, ``dry_run`` writes
nothing at all. Re-importing updates by code or identifier instead of duplicating.
"""

from core.spreadsheets.report import ImportReport, RowError

from .components import import_components
from .grids import import_grids

__all__ = ["ImportReport", "RowError", "import_components", "import_grids"]
