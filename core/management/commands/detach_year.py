"""``manage.py detach_year 2019``: archive a year of the yearly-partitioned tables (core/partitions.py).

Each table's partition of that year is detached: it stays in the database as a plain, read-only table
(``cases_caseevent_y2019``, ``evaluation_casefact_y2019``, ``cases_case_y2019``) outside the partitioned one, to be
dumped (``pg_dump -t cases_caseevent_y2019``) and then dropped by the operator. The current year and later are
refused. The daily rollups stay, so that year's bulletins and figures are unchanged.

The case table is partitioned by the year of its ids (the year a case was written); its year is detached only with
``--with-cases``, last: PostgreSQL refuses while other tables still refer to those cases (a timeline event of the
next January, a photo, a hotline order), and the command then stops with that refusal, having detached nothing —
so a year's cases are archived once the rows that refer to them are. All tables move in one transaction.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction
from django.utils import timezone

from core import audit
from core.partitions import YEARLY, IdYearPartitions


class Command(BaseCommand):
    help = "Detach a past year's partitions of the yearly-partitioned tables, to be dumped and dropped."

    def add_arguments(self, parser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("--table", action="append", choices=sorted(YEARLY), help="only these tables")
        parser.add_argument(
            "--with-cases", action="store_true", help="also the year's cases (last; refused while rows refer to them)"
        )

    def handle(self, *args, **options) -> None:
        year = options["year"]
        if year >= timezone.localdate().year:
            raise CommandError(f"year: {year} is not a past year; only past years can be archived")
        detached, lines = [], []
        # The tables that refer to others first: the case table (referred to by the rest) last.
        chosen = options["table"] or [
            table for table, spec in YEARLY.items() if options["with_cases"] or not isinstance(spec, IdYearPartitions)
        ]
        tables = sorted(chosen, key=lambda table: (isinstance(YEARLY[table], IdYearPartitions), table))
        try:
            with transaction.atomic():
                for table in tables:
                    name = YEARLY[table].detach_year(year)
                    if name:
                        detached.append(name)
                        lines.append(
                            f"{table}: detached {name}; dump it with `pg_dump -t {name}`, then DROP TABLE {name}"
                        )
                    else:
                        lines.append(f"{table}: no partition for {year}")
        except DatabaseError as error:
            message = str(error).strip().splitlines()[0]
            raise CommandError(
                f"{table}: {message} — the rows that refer to {year}'s cases must be archived first; nothing detached"
            ) from error
        for line in lines:
            self.stdout.write(line)
        if detached:
            audit.record("partitions.detach_year", year=year, tables=detached)
        self.stdout.write(self.style.SUCCESS(f"{len(detached)} partition(s) of {year} detached"))
