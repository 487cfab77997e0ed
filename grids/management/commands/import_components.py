"""manage.py import_components FILE (CSV, .xlsx or GeoJSON); columns in grids/loaders/components.py."""

from core.spreadsheets.command import ImportCommand
from grids.loaders import import_components


class Command(ImportCommand):
    help = "Import components; every bad row is reported with its number. All-or-nothing by default."
    loader = import_components
