"""Range partitions of the big tables (PostgreSQL declarative partitioning), shared by every layer.

Three shapes use it: the patrol track table, one partition per day (``grids.patrol.partitions``); the big history
tables, one partition per year (``YearlyPartitions``: the case timeline ``cases_caseevent`` by ``at`` and the fact
table ``evaluation_casefact`` by ``day``); and the case table, one partition per year of its ids
(``IdYearPartitions``: ``year × ID_SPAN + serial``, so its primary key (id) holds the partition key). A year is a
China-time year (``settings.TIME_ZONE``), like every period of the evaluation. Each yearly table also has a DEFAULT
partition, so no insert ever fails for want of a partition (a replayed history from 2009, a clock gone wrong);
``ensure`` moves such rows into their year's partition when it creates it.

Why a year: the hot year's indexes stay small (an insert touches one year's B-trees), a year's figures read one
partition, and an old year is archived whole by detaching its partition (``manage.py detach_year``): the detached
table can then be dumped (``pg_dump -t``) and dropped, with no slow DELETE and no bloat.

A partitioned table's primary key must contain the partition key, so the timeline's key is ``(id, at)`` in the
database; Django keeps ``id`` as the model's key (ids come from one sequence, so they are unique anyway). No foreign
key can point at the timeline by ``id`` alone: the rows that name an event (a case photo, an urge from the upper
platform) keep the column and lose the database constraint (events are never deleted). The case table, partitioned
by its id, keeps every foreign key to it (docs/partitioning.md).

``convert(…)`` turns an existing table into a partitioned one inside a migration, carrying over its rows, indexes,
foreign keys, triggers (the append-only guard) and its id sequence; ``unconvert(…)`` is the way back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction

from core.signals import partition_rows_changed

YEARLY: dict[str, YearlyPartitions] = {}  # table → its partitions, registered by the models that own them


# ---- Any range-partitioned table ------------------------------------------------------------------------------------


def children(table: str, connection=None) -> list[str]:
    """The names of *table*'s partitions (attached ones)."""
    with (connection or default_connection).cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [table],
        )
        return sorted(name for (name,) in cursor.fetchall())


def is_partitioned(table: str, connection=None) -> bool:
    with (connection or default_connection).cursor() as cursor:
        cursor.execute("SELECT relkind = 'p' FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
    return bool(row and row[0])


def create_range_partition(cursor, table: str, name: str, start, end) -> None:
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {table} FOR VALUES FROM (%s) TO (%s)", [start, end])


def detach(cursor, table: str, name: str) -> None:
    cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {name}")


# ---- One partition per year ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearlyPartitions:
    """The yearly partitions of *table* by *column* (a ``timestamptz`` or a ``date``)."""

    table: str
    column: str
    is_date: bool = False
    # (table, column) pairs whose rows belong to this table's rows and go with them when a year is detached (the
    # case table's unique keys); they are deleted in the year's range just before the detach.
    companions: tuple[tuple[str, str], ...] = ()

    @property
    def default(self) -> str:
        return f"{self.table}_default"

    def name(self, year: int) -> str:
        return f"{self.table}_y{year}"

    def bounds(self, year: int) -> tuple[date | datetime, date | datetime]:
        if self.is_date:
            return date(year, 1, 1), date(year + 1, 1, 1)
        zone = ZoneInfo(settings.TIME_ZONE)
        return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)

    def year_sql(self, expression: str) -> str:
        """SQL giving the (China-time) year of *expression*, a value of the partition column."""
        if self.is_date:
            return f"extract(year FROM {expression})::int"
        return f"extract(year FROM ({expression}) AT TIME ZONE '{settings.TIME_ZONE}')::int"

    def years(self, connection=None) -> set[int]:
        prefix = f"{self.table}_y"
        return {int(n[len(prefix) :]) for n in children(self.table, connection) if n[len(prefix) :].isdigit()}

    def ensure(self, years, connection=None) -> int:
        """Create the partitions of *years* that are missing; answers how many were created. Rows of such a year
        already in the DEFAULT partition are moved into the new partition (one transaction). Safe to run twice."""
        connection = connection or default_connection
        wanted = sorted(set(years) - self.years(connection))
        if not wanted:
            return 0
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {self.table} IN SHARE ROW EXCLUSIVE MODE")  # one creator at a time
            wanted = sorted(set(wanted) - self.years(connection))
            lows = [self.bounds(year)[0] for year in wanted]
            highs = [self.bounds(year)[1] for year in wanted]
            cursor.execute(
                f"SELECT EXISTS (SELECT 1 FROM {self.default} d, unnest(%s::{self._type}[], %s::{self._type}[]) "
                f"AS b(lo, hi) WHERE d.{self.column} >= b.lo AND d.{self.column} < b.hi)",
                [lows, highs],
            )
            stranded = cursor.fetchone()[0]
            if stranded:  # the default partition holds rows of a new year: rebuild it around the new partitions
                detach(cursor, self.table, self.default)
                cursor.execute(f"ALTER TABLE {self.default} RENAME TO {self.default}_moving")
            for year in wanted:
                create_range_partition(cursor, self.table, self.name(year), *self.bounds(year))
            if stranded:
                cursor.execute(f"CREATE TABLE {self.default} PARTITION OF {self.table} DEFAULT")
                columns = _stored_columns(cursor, f"{self.default}_moving")
                cursor.execute(f"INSERT INTO {self.table} ({columns}) SELECT {columns} FROM {self.default}_moving")
                # Deferred foreign-key checks queued on the old default rows (this same transaction) fire first.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"DROP TABLE {self.default}_moving")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                partition_rows_changed.send(YearlyPartitions, table=self.table, connection=connection)
        return len(wanted)

    def years_in_default(self, connection=None) -> set[int]:
        """The years of the rows in the DEFAULT partition (normally none: it is a safety net)."""
        with (connection or default_connection).cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT {self.year_sql(self.column)} FROM {self.default}")
            return {year for (year,) in cursor.fetchall()}

    def ensure_ahead(self, today: date, years: int = 1, connection=None) -> int:
        """This year's partition and the next *years*' (beat runs it every night)."""
        return self.ensure(range(today.year, today.year + years + 1), connection)

    def detach_year(self, year: int, connection=None) -> str | None:
        """Detach the year's partition: it stays as a plain table, outside the partitioned one, to be dumped and
        dropped. Answers its name, or None when there is no such partition."""
        connection = connection or default_connection
        if year not in self.years(connection):
            return None
        name = self.name(year)
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            guarded = _has_append_only(cursor, name)
            low, high = self.bounds(year)
            for companion, column in self.companions:
                cursor.execute(f"DELETE FROM {companion} WHERE {column} >= %s AND {column} < %s", [low, high])
            # PostgreSQL refuses to detach a partition whose rows other tables still refer to (the error names the
            # foreign key): the rows referring to a year's cases are archived first. Deferred checks queued earlier
            # in the transaction fire before, as ALTER TABLE requires.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            detach(cursor, self.table, name)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            if guarded and not _has_append_only(cursor, name):  # the clone left with the parent: keep it read-only
                cursor.execute(
                    f"CREATE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {name} "
                    "FOR EACH ROW EXECUTE FUNCTION citymgmt_refuse_change()"
                )
            # An archive refers to nothing live: its foreign keys would otherwise pin the rows they name (a
            # detached timeline year would keep its cases from ever being archived).
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' AND conparentid = 0",
                [name],
            )
            for (constraint,) in cursor.fetchall():
                cursor.execute(f'ALTER TABLE {name} DROP CONSTRAINT "{constraint}"')
            partition_rows_changed.send(YearlyPartitions, table=self.table, connection=connection)
        return name

    @property
    def _type(self) -> str:
        return "date" if self.is_date else "timestamptz"


def yearly(table: str, column: str, *, is_date: bool = False) -> YearlyPartitions:
    """Declare (and register) a table partitioned by year: its model's module calls this."""
    spec = YearlyPartitions(table, column, is_date)
    YEARLY[table] = spec
    return spec


# A year's ids: year × ID_SPAN + a serial (2026 → 20,260,000,000,001 …), far below JavaScript's 2⁵³ (≈ 9 × 10¹⁵).
ID_SPAN = 10_000_000_000


@dataclass(frozen=True)
class IdYearPartitions(YearlyPartitions):
    """Partitions by year of the *id* itself: each year's rows draw their ids from a range of their own
    (``year × ID_SPAN`` + a serial, the column default ``year_id_default``). The primary key ``(id)`` then contains
    the partition key, so foreign keys to the table stay as they are and a look-up by id prunes to one partition.
    The year is the China-time year the row was *written* (a case reported offline on 31 December and synced on
    1 January lies in the new year). Ids from before the conversion (below ID_SPAN) lie in the ``legacy`` partition.
    Resetting the id sequence to max(id) (``loaddata``'s ``sqlsequencereset``) would break the scheme: the sequence
    holds the serial only (``max(id % ID_SPAN)``, as ``convert`` sets it).

    Since the default id is always in the current year, whose partition the nightly task creates a year ahead, no
    other row reaches the DEFAULT partition; if one did (beat stopped for a year), ``ensure`` could not move it out
    while other tables refer to it — PostgreSQL refuses to detach a referenced partition — and says so."""

    def bounds(self, year: int) -> tuple[int, int]:  # type: ignore[override]
        return year * ID_SPAN, (year + 1) * ID_SPAN

    def year_sql(self, expression: str) -> str:
        return f"(({expression}) / {ID_SPAN})::int"

    @property
    def legacy(self) -> str:
        """The partition of the ids from before the conversion (below ID_SPAN), so the DEFAULT one stays empty:
        creating a partition scans the DEFAULT partition under an exclusive lock, and an empty one costs nothing."""
        return f"{self.table}_legacy"

    @property
    def _type(self) -> str:
        return "bigint"


def yearly_ids(table: str, companions: tuple[tuple[str, str], ...] = ()) -> IdYearPartitions:
    """Declare (and register) a table partitioned by the year of its ids."""
    spec = IdYearPartitions(table, "id", companions=companions)
    YEARLY[table] = spec
    return spec


def year_id_default(table: str) -> str:
    """The id column's default of an ``IdYearPartitions`` table: this China-time year × ID_SPAN + the sequence."""
    return (
        f"(extract(year FROM now() AT TIME ZONE '{settings.TIME_ZONE}')::bigint * {ID_SPAN} "
        f"+ nextval('{table}_id_seq'))"
    )


def _stored_columns(cursor, table: str) -> str:
    """*table*'s columns as a SQL list, without the generated ones (the case's search terms), which a copy computes
    again instead of copying."""
    cursor.execute(
        "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''",
        [table],
    )
    return cursor.fetchone()[0]


def _has_append_only(cursor, table: str) -> bool:
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
        "WHERE t.tgrelid = %s::regclass AND p.proname = 'citymgmt_refuse_change')",
        [table],
    )
    return cursor.fetchone()[0]


# ---- Migrations: a plain table becomes partitioned (and back) -----------------------------------------------------


def _carried_definitions(cursor, table: str) -> dict[str, list]:
    """What a rebuilt table must get back: its indexes (all but the primary key's), foreign keys, user triggers."""
    cursor.execute(
        "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s::regclass AND NOT indisprimary",
        [table],
    )
    indexes = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' AND conparentid = 0",  # not the clones per partition
        [table],
    )
    foreign_keys = cursor.fetchall()
    cursor.execute(
        "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table]
    )
    triggers = [row[0] for row in cursor.fetchall()]
    # Foreign keys of other tables pointing here (a partitioned referencing table's own key, not its partitions').
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE confrelid = %s::regclass AND conrelid <> confrelid AND contype = 'f' AND conparentid = 0",
        [table],
    )
    referencing = cursor.fetchall()
    return {"indexes": indexes, "foreign_keys": foreign_keys, "triggers": triggers, "referencing": referencing}


def _rebuild(cursor, table: str, primary_key: list[str], partition: YearlyPartitions | None, sequence: str | None):
    carried = _carried_definitions(cursor, table)
    # A partitioned table can be referenced only through a key containing its partition key: the timeline's
    # (id, at) cannot, so its referencing keys must be gone (db_constraint=False) before; a table partitioned by
    # its id keeps them, dropped here and made again against the new table.
    if carried["referencing"] and partition is not None and partition.column not in primary_key:
        names = [(referrer, name) for referrer, name, _definition in carried["referencing"]]
        raise RuntimeError(f"{table} is referenced by foreign keys {names}; drop them before converting")
    for referrer, name, _definition in carried["referencing"]:
        cursor.execute(f'ALTER TABLE {referrer} DROP CONSTRAINT "{name}"')
    old = f"{table}_rebuilding"
    cursor.execute(f"ALTER TABLE {table} RENAME TO {old}")
    how = f" PARTITION BY RANGE ({partition.column})" if partition else ""
    cursor.execute(
        f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED){how}"
    )
    if partition:
        cursor.execute(
            f"SELECT {partition.year_sql(f'min({partition.column})')}, {partition.year_sql(f'max({partition.column})')}"
            f" FROM {old}"
        )
        first, last = cursor.fetchone()
        this_year = datetime.now(ZoneInfo(settings.TIME_ZONE)).year
        years = set(range(this_year, this_year + 2))
        if first is not None:
            years |= set(range(max(first, this_year - 30), last + 1))  # older outliers go to the default partition
        for year in sorted(years):
            create_range_partition(cursor, table, partition.name(year), *partition.bounds(year))
        if isinstance(partition, IdYearPartitions):  # the ids from before the conversion: a range of their own
            cursor.execute(
                f"CREATE TABLE {partition.legacy} PARTITION OF {table} FOR VALUES FROM (MINVALUE) TO ({ID_SPAN})"
            )
        cursor.execute(f"CREATE TABLE {partition.default} PARTITION OF {table} DEFAULT")
    columns = _stored_columns(cursor, old)
    cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {old}")
    cursor.execute(f"DROP TABLE {old} CASCADE")  # its identity sequence and index names go with it
    if sequence:
        column = sequence
        cursor.execute(f"CREATE SEQUENCE {table}_{column}_seq OWNED BY {table}.{column}")
        by_year = isinstance(partition, IdYearPartitions)
        default = year_id_default(table) if by_year else f"nextval('{table}_{column}_seq')"
        cursor.execute(f"ALTER TABLE {table} ALTER {column} SET DEFAULT {default}")
        serial = f"{column} % {ID_SPAN}" if by_year else column  # a year's ids: year × ID_SPAN + the serial
        cursor.execute(
            f"SELECT setval('{table}_{column}_seq', COALESCE((SELECT max({serial}) FROM {table}), 0) + 1, false)"
        )
    cursor.execute(f"ALTER TABLE {table} ADD PRIMARY KEY ({', '.join(primary_key)})")
    for definition in carried["indexes"]:  # read before the rename: they name the table as it is again now
        cursor.execute(re.sub(r" ON ONLY ", " ON ", definition, count=1))
    for name, definition in carried["foreign_keys"]:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for definition in carried["triggers"]:
        cursor.execute(definition)
    for referrer, name, definition in carried["referencing"]:
        cursor.execute(f'ALTER TABLE {referrer} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute(f"ANALYZE {table}")


def convert(table: str, partition: YearlyPartitions, primary_key: list[str], sequence: str | None = None):
    """A ``RunPython`` pair turning *table* into one partitioned by year, rows and all (and back)."""

    def forwards(apps, schema_editor):
        if is_partitioned(table, schema_editor.connection):
            return
        with schema_editor.connection.cursor() as cursor:
            _rebuild(cursor, table, primary_key, partition, sequence)

    return forwards


def unconvert(table: str, primary_key: list[str], sequence: str | None = None):
    def backwards(apps, schema_editor):
        if not is_partitioned(table, schema_editor.connection):
            return
        with schema_editor.connection.cursor() as cursor:
            _rebuild(cursor, table, primary_key, None, sequence)

    return backwards
