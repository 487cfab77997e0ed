"""``manage.py rebuild_hotspots``: recompute the heat cells and the daily grid × class counts from the cases."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from evaluation.hotspots.aggregation import rebuild


class Command(BaseCommand):
    help = "Rebuild the hotspot counts (heat cells, grid × class per day) from scratch."

    def handle(self, *args, **options) -> None:
        timings = rebuild()
        for step, seconds in timings.items():
            self.stdout.write(f"{step}: {seconds:.2f} s")
        self.stdout.write(self.style.SUCCESS(f"hotspots rebuilt in {sum(timings.values()):.2f} s"))
