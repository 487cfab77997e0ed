"""The shared shape of the import management commands."""

from __future__ import annotations

from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.audit import import_outcome, record_import
from core.spreadsheets.report import ImportReport


class ImportCommand(BaseCommand):
    """``manage.py import_<kind> FILE [--skip-invalid] [--dry-run]``; all-or-nothing by default."""

    loader: Callable[..., ImportReport]

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="the file to import")
        parser.add_argument("--skip-invalid", action="store_true", help="load the good rows, skip the bad ones")
        parser.add_argument("--dry-run", action="store_true", help="check the file, write nothing")

    def handle(self, *args, path: str, skip_invalid: bool, dry_run: bool, **options) -> None:
        report = type(self).loader(path, skip_invalid=skip_invalid, dry_run=dry_run)
        record_import(
            report.kind,
            file_name=path,
            rows=report.rows,
            outcome=import_outcome(report.written, dry_run),
            errors=len(report.errors),
            command=f"import_{report.kind}",
        )
        self.stdout.write(report.as_text())
        if report.errors and not skip_invalid:
            raise CommandError(
                _("%(count)s errors: nothing was written (--skip-invalid loads the good rows)")
                % {"count": len(report.errors)}
            )
