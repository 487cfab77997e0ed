"""``manage.py detach_year 2019``: archive a year of the yearly-partitioned tables (core/partitions.py).

Each table's partition of that year is detached: it stays in the database as a plain, read-only table
(``cases_caseevent_y2019``, ``evaluation_casefact_y2019``) outside the partitioned one, to be dumped
(``pg_dump -t cases_caseevent_y2019``) and then dropped by the operator. The current year and later are refused.
What stays: the cases themselves (the case table is not partitioned) and the daily rollups, so that year's
bulletins and figures are unchanged; what goes: those cases' timelines (events of that year) and facts.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core import audit
from core.partitions import YEARLY


class Command(BaseCommand):
    help = "Detach a past year's partitions of the yearly-partitioned tables, to be dumped and dropped."

    def add_arguments(self, parser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("--table", action="append", choices=sorted(YEARLY), help="only these tables")

    def handle(self, *args, **options) -> None:
        year = options["year"]
        if year >= timezone.localdate().year:
            raise CommandError(f"year: {year} is not a past year; only past years can be archived")
        detached = []
        for table in options["table"] or sorted(YEARLY):
            name = YEARLY[table].detach_year(year)
            if name:
                detached.append(name)
                self.stdout.write(f"{table}: detached {name}; dump it with `pg_dump -t {name}`, then DROP TABLE {name}")
            else:
                self.stdout.write(f"{table}: no partition for {year}")
        if detached:
            audit.record("partitions.detach_year", year=year, tables=detached)
        self.stdout.write(self.style.SUCCESS(f"{len(detached)} partition(s) of {year} detached"))
