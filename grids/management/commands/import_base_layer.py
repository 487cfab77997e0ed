"""manage.py import_base_layer KIND FILE (GeoJSON, Shapefile or a zipped Shapefile): one base-map layer, replacing
the stored one unless --append. Kinds and columns in grids/basemap/loader.py."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from core.audit import import_outcome, record_import
from core.spreadsheets.command import ImportCommand
from grids.basemap.loader import LAYERS, import_base_layer


class Command(ImportCommand):
    help = (
        "Import a base-map layer (roads, buildings, water, green, labels); every bad row is reported with its "
        "number. All-or-nothing by default; replaces the layer unless --append."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=sorted(LAYERS), help="the layer the file holds")
        super().add_arguments(parser)
        parser.add_argument("--append", action="store_true", help="add to the stored layer instead of replacing it")

    def handle(self, *args, kind: str, path: str, skip_invalid: bool, dry_run: bool, append: bool, **options):
        report = import_base_layer(kind, path, skip_invalid=skip_invalid, dry_run=dry_run, append=append)
        record_import(
            report.kind,
            file_name=path,
            rows=report.rows,
            outcome=import_outcome(report.written, dry_run),
            errors=len(report.errors),
            command="import_base_layer",
        )
        self.stdout.write(report.as_text())
        if report.errors and not skip_invalid:
            raise CommandError(
                _("%(count)s errors: nothing was written (--skip-invalid loads the good rows)")
                % {"count": len(report.errors)}
            )
