"""``manage.py rebuild_rollups``: recompute the per-case facts and every daily rollup from the cases (set-based);
``--year 2025`` one year's; ``--changed`` the months whose cases changed since the last rebuild (the nightly job)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from evaluation.rollups import rebuild, rebuild_changed


class Command(BaseCommand):
    help = "Rebuild the evaluation fact table and daily rollups from scratch."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--year", type=int, help="only the cases received in this year (China time): their days and facts"
        )

        parser.add_argument(
            "--changed",
            action="store_true",
            help="only the months whose cases changed since the last rebuild began (what the nightly job runs)",
        )

    def handle(self, *args, **options) -> None:
        if options["changed"]:
            build = rebuild_changed()
            timings = build.timings
            months = ", ".join(f"{month:%Y-%m}" for month in build.months) or "none"
            self.stdout.write(f"months rebuilt: {months}" if build.scope == "changed" else "every case rebuilt")
        else:
            timings = rebuild(year=options.get("year"))
        for step, seconds in timings.items():
            self.stdout.write(f"{step}: {seconds:.2f} s")
        self.stdout.write(self.style.SUCCESS(f"rollups rebuilt in {sum(timings.values()):.2f} s"))
