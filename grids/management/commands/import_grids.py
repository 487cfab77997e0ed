"""manage.py import_grids FILE (GeoJSON, Shapefile or a zipped Shapefile); columns in grids/loaders/grids.py."""

from core.spreadsheets.command import ImportCommand
from grids.loaders import import_grids


class Command(ImportCommand):
    help = "Import unit grids; every bad row is reported with its number. All-or-nothing by default."
    loader = import_grids
