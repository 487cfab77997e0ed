"""``manage.py rebuild_rollups``: recompute the per-case facts and every daily rollup from the cases (set-based)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from evaluation.rollups import rebuild


class Command(BaseCommand):
    help = "Rebuild the evaluation fact table and daily rollups from scratch."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--year", type=int, help="only the cases received in this year (China time): their days and facts"
        )

    def handle(self, *args, **options) -> None:
        timings = rebuild(year=options.get("year"))
        for step, seconds in timings.items():
            self.stdout.write(f"{step}: {seconds:.2f} s")
        self.stdout.write(self.style.SUCCESS(f"rollups rebuilt in {sum(timings.values()):.2f} s"))
