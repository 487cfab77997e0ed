"""(Re)load the class-code catalogues, default filing conditions and mappings; adds only what is missing."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grids.taxonomy import CATALOGUES, Catalogue, CatalogueError, assign_default_departments, load_taxonomy


class Command(BaseCommand):
    help = (
        "Load the GB/T 47678.5-2026 and CJ/T 214-2007 class catalogues (or a local extension from a CSV with columns "
        "kind,major_code,major_name,code,name), default filing conditions and the 2007↔2026 mapping. Idempotent: "
        "an administrator's edits are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, help="a local extension catalogue (CSV) to load as well")
        parser.add_argument("--standard", help="code of the local standard the --file classes belong to")
        parser.add_argument("--name", help="display name of that local standard (default: its code)")
        parser.add_argument(
            "--assign-departments",
            action="store_true",
            help="set default departments of conditions that have none, by Department.code (rule table in "
            "grids/taxonomy/departments.py)",
        )

    def handle(self, *args, file: Path | None, standard: str | None, name: str | None, **options) -> None:
        catalogues = list(CATALOGUES)
        if file is not None:
            if not standard:
                raise CommandError("--standard is required with --file")
            if not file.exists():
                raise CommandError(f"{file}: no such file")
            catalogues.append(Catalogue(standard, name or standard, file, is_local=True))
        try:
            added = load_taxonomy(catalogues)
        except CatalogueError as exc:
            raise CommandError(f"nothing loaded:\n{exc}") from exc
        self.stdout.write(
            f"taxonomy: {added['standards']} standards, {added['major_classes']} major classes, "
            f"{added['minor_classes']} minor classes, {added['conditions']} filing conditions, "
            f"{added['mappings']} mappings added"
        )
        if options["assign_departments"]:
            from core.models import Department

            by_code = {d.code: d for d in Department.objects.filter(is_active=True)}
            count = assign_default_departments(by_code)
            self.stdout.write(f"default departments: {count} filing conditions assigned")
