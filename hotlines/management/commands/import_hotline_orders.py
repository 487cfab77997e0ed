"""manage.py import_hotline_orders FILE.xlsx [--user NAME] [--hotline 12345] [--skip-invalid] [--dry-run]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core.audit import import_outcome, record_import
from core.models import User
from hotlines.exceptions import OrderForbidden
from hotlines.imports import import_orders


class Command(BaseCommand):
    help = (
        "Import hotline work orders from an Excel workbook. Every bad row is reported with its number; nothing is "
        "written unless every row is good (--skip-invalid writes the good ones). Re-importing adds nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--user", default="operator", help="account the orders are received by")
        parser.add_argument("--hotline", default="12345", help="hotline code for rows without one")
        parser.add_argument("--skip-invalid", action="store_true", help="write the good rows, skip the bad ones")
        parser.add_argument("--dry-run", action="store_true", help="only check the file")

    def handle(self, *args, file: str, user: str, hotline: str, skip_invalid: bool, dry_run: bool, **options):
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {user!r}")
        try:
            with open(file, "rb") as handle:
                report = import_orders(
                    handle, actor, default_hotline=hotline, skip_invalid=skip_invalid, dry_run=dry_run
                )
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except OrderForbidden as exc:
            raise CommandError(f"{user}: {exc}") from exc
        record_import(
            "hotline_orders",
            actor=actor,
            file_name=file,
            rows=report.rows,
            outcome=import_outcome(report.written, dry_run),
            errors=len(report.errors),
            command="import_hotline_orders",
        )
        for error in report.errors:
            self.stderr.write(f"row {error.row}: {error.field}: {error.message}")
        self.stdout.write(
            f"{report.rows} rows: {report.created} new, {report.existing} already received, "
            f"{report.skipped} not imported{' (dry run)' if dry_run else ''}"
        )
        if report.errors and not (skip_invalid or dry_run):
            raise CommandError(f"{len(report.errors)} problems: nothing was written")
