"""Keeping the fact table and the daily rollups (evaluation.models.facts) right.

Every measure has one SQL expression (``CASE_MEASURES``), used by both ways in, so they cannot disagree:

- ``upkeep(case_id)``: after each committed transition (and intake), one SQL statement (kept as a PL/pgSQL function,
  so its plan is cached without session state a pooler could lose) recomputes the case's contribution, applies
  (new − stored) to the department, grid and person rollups, and stores the new contribution in the fact table —
  a few index look-ups, about a millisecond. Registered with ``cases.timeline.after_transition`` in the AppConfig.
- ``rebuild()``: everything from scratch, set-based: one ``INSERT … SELECT … GROUP BY GROUPING SETS`` over the case
  table fills the department and grid rollups and the collectors' part of the person rollup in a single scan; the
  other people are read from the case too (who handled each stage is kept on it, ``cases.choices.STAGE_ACTORS``),
  in one more scan; facts are written for the cases that still need one. Used by
  ``manage.py rebuild_rollups``, the nightly Celery task and the demo city; also the safety net for a listener that
  failed.

**Which cases keep a fact row.** A terminal case (closed, not accepted, not registered, cancelled, merged) never
changes again, so its contribution is final: the fact table keeps rows only for open cases (whose contribution
still moves), for reworked ones (the bulletins list them) and for closed citizens' reports and online opinions,
which a return visit (回访) answered 不满意 reopens. Upkeep of a terminal case without a fact row has
nothing to do — it was counted when it became terminal, or by the rebuild — which also makes a repeated listener
call harmless. This keeps the table small: a rebuild over ten million cases writes only the open and reworked ones.

Concurrency: ``upkeep`` takes a transaction-level advisory lock per case, so two transitions of one case never
interleave their deltas; ``rebuild`` runs in one REPEATABLE READ snapshot and locks the fact table, so upkeeps wait
for it and then apply their difference against the rebuilt rows.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from cases.choices import REVISITED_SOURCES, TERMINAL_STATUSES
from core.stored_statements import StoredStatement, ensure, forget, stored_statement
from evaluation.hotspots.aggregation import month_end
from evaluation.models.builds import RollupBuild, RollupScope
from evaluation.models.facts import (
    ACTOR_COLUMNS,
    CASE_MEASURES,
    GRID_MEASURES,
    PERSON_MEASURES,
)

logger = logging.getLogger(__name__)

FACT = "evaluation_casefact"
DEPARTMENT = "evaluation_departmentday"
COMMUNITY = "evaluation_communityday"
SOURCE = "evaluation_sourceday"
GRID = "evaluation_gridday"
PERSON = "evaluation_personday"
ADVISORY_NAMESPACE = 6_060_601  # first key of pg_advisory_xact_lock(int, int): "evaluation facts"
VERSION_KEY = "evaluation:rollups:version"
TERMINAL = "('closed', 'rejected', 'refused', 'cancelled', 'merged')"
REVISITED = "(" + ", ".join(f"'{source}'" for source in sorted(REVISITED_SOURCES)) + ")"
# Which cases keep a fact row: open and reworked ones, and closed ones a return visit (回访) may still reopen
# (citizens' reports and online opinions: 不满意 sends them back to 待核查), so the reopening applies a true delta.
KEEP_FACT = f"(c.status NOT IN {TERMINAL} OR c.rework_count > 0 OR (c.status = 'closed' AND c.source IN {REVISITED}))"

CASE_DIMENSIONS = ["day", "department_id", "community_code", "grid_code", "source", "kind", "reporter_id"]
FACT_COLUMNS = ["case_id", *CASE_DIMENSIONS, *ACTOR_COLUMNS, *CASE_MEASURES]
MEASURES = list(CASE_MEASURES)
# (table, key columns, measures) of the rollups kept from case contributions.
CASE_ROLLUPS = [
    (DEPARTMENT, ["day", "department_id"], MEASURES),
    (COMMUNITY, ["day", "community_code"], MEASURES),
    (SOURCE, ["day", "source", "kind"], MEASURES),
    (GRID, ["day", "grid_code"], GRID_MEASURES),
]
ROLLUP_TABLES = [table for table, _keys, _measures in CASE_ROLLUPS] + [PERSON]


def _dimension_sql() -> list[str]:
    return [
        f"(c.received_at AT TIME ZONE '{settings.TIME_ZONE}')::date",
        "COALESCE(c.department_id, 0)",
        "c.community_code",
        "c.grid_code",
        "c.source",
        "c.kind",
        "c.reporter_id",
    ]


def _fact_expressions() -> list[str]:
    """The fact row's columns (in FACT_COLUMNS order) as SQL over the case ``c``."""
    return ["c.id", *_dimension_sql(), *[f"c.{column}" for column in ACTOR_COLUMNS], *CASE_MEASURES.values()]


def _person_projections(*, with_reporter: bool = True) -> dict[str, dict[str, str]]:
    """Actor column → {person measure: SQL over the fact row f}; the person rollup is their union."""
    by_actor: dict[str, dict[str, str]] = {}
    for measure, (actor, sql) in PERSON_MEASURES.items():
        if actor == "reporter_id" and not with_reporter:
            continue
        by_actor.setdefault(actor, {})[measure] = sql
    return by_actor


def _person_select(source: str, sign: str = "1", *, with_reporter: bool = True) -> str:
    """Rows (day, user_id, measures…) for every (fact, actor) pair of ``source`` (a table, CTE or subquery, as f)."""
    selects = []
    for actor, measures in _person_projections(with_reporter=with_reporter).items():
        columns = [f"{sign} * ({measures[m]})" if m in measures else "0" for m in PERSON_MEASURES]
        selects.append(
            f"SELECT f.day, f.{actor} AS user_id, {', '.join(columns)} FROM {source} f WHERE f.{actor} IS NOT NULL"
        )
    return " UNION ALL ".join(selects)


def _person_values(*, with_reporter: bool = True) -> str:
    """A lateral join turning each fact-shaped row ``f`` into one row per person who handled the case: (user_id,
    that person's measures, 0 for the others' measures); rows whose person is empty are the caller's to drop."""
    rows = []
    for actor, measures in _person_projections(with_reporter=with_reporter).items():
        rows.append(f"(f.{actor}, {', '.join(measures[m] if m in measures else '0' for m in PERSON_MEASURES)})")
    return f"CROSS JOIN LATERAL (VALUES {', '.join(rows)}) AS p (user_id, {', '.join(PERSON_MEASURES)})"


def _upsert(table: str, keys: list[str], measures: list[str], select: str) -> str:
    updates = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in measures)
    return (
        f"INSERT INTO {table} ({', '.join(keys)}, {', '.join(measures)}) {select} "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    )


# ---- Upkeep ---------------------------------------------------------------------------------------------------------


def _upkeep_sql() -> str:
    """One statement, parameter $1 = the case ids. ``cur`` is the recomputed contribution of each case that still
    counts (open, or terminal with a stored fact: the transition that made it terminal); ``old`` the stored one."""
    columns = ", ".join(FACT_COLUMNS)
    current = ", ".join(f"{sql} AS {name}" for sql, name in zip(_fact_expressions(), FACT_COLUMNS, strict=True))
    signed = ", ".join(f"{{sign}} * {m} AS {m}" for m in MEASURES)
    dims = ", ".join([*CASE_DIMENSIONS, *ACTOR_COLUMNS])
    ctes = [
        f"old AS (SELECT {columns} FROM {FACT} WHERE case_id = ANY($1))",
        f"cur AS (SELECT {current}, {KEEP_FACT} AS keep FROM cases_case c "
        f"WHERE c.id = ANY($1) AND (c.status NOT IN {TERMINAL} OR c.id IN (SELECT case_id FROM old)))",
        f"kept AS (INSERT INTO {FACT} ({columns}) SELECT {columns} FROM cur WHERE keep "
        # The fact table is partitioned by day (core/partitions.py): its key is (case_id, day).
        f"ON CONFLICT (case_id, day) DO UPDATE SET {', '.join(f'{x} = excluded.{x}' for x in FACT_COLUMNS[2:])})",
        f"dropped AS (DELETE FROM {FACT} f USING cur WHERE f.case_id = cur.case_id "
        "AND (NOT cur.keep OR f.day <> cur.day))",
        f"delta AS (SELECT {dims}, {signed.format(sign='1')} FROM cur "
        f"UNION ALL SELECT {dims}, {signed.format(sign='-1')} FROM old)",
    ]
    for index, (table, keys, measures) in enumerate(CASE_ROLLUPS):
        sums = ", ".join(f"sum({m})" for m in measures)
        select = f"SELECT {', '.join(keys)}, {sums} FROM delta GROUP BY {', '.join(keys)}"
        ctes.append(f"r{index} AS ({_upsert(table, keys, measures, select)})")
    person = ", ".join(PERSON_MEASURES)
    select = (
        f"SELECT day, user_id, {', '.join(f'sum({m})' for m in PERSON_MEASURES)} "
        f"FROM ({_person_select('cur', '1')} UNION ALL {_person_select('old', '-1')}) AS p (day, user_id, {person}) "
        "GROUP BY day, user_id"
    )
    ctes.append(f"rp AS ({_upsert(PERSON, ['day', 'user_id'], list(PERSON_MEASURES), select)})")
    return "WITH " + ", ".join(ctes) + " SELECT count(*) FROM cur"


@functools.cache
def _upkeep_function() -> StoredStatement:
    """The upkeep statement as a stored PL/pgSQL function (``core.stored_statements``): planned once per server
    session and cached by PostgreSQL, with no session state a pooler in transaction mode could lose."""
    body = _upkeep_sql()
    assert body.endswith(" SELECT count(*) FROM cur")
    body = body.removesuffix(" SELECT count(*) FROM cur") + " SELECT count(*) INTO upkept FROM cur"
    return stored_statement(
        "evaluation_upkeep", ["bigint[]"], "bigint", f"DECLARE upkept bigint; BEGIN {body}; RETURN upkept; END"
    )


def upkeep(*case_ids: int) -> None:
    """Recompute these cases' contributions and apply the differences to every rollup: one call of the upkeep
    function (its plan cached by PostgreSQL per server session), the cases' advisory locks held until it commits.

    Four round trips: BEGIN, the locks and session settings in one call, the statement, COMMIT. The commit does not
    wait for the disk (``synchronous_commit = off``): rollups are derived data, and the few milliseconds a crash
    could lose are restored by the nightly rebuild — the transition itself was committed durably before this runs."""
    if not case_ids:
        return
    ids = sorted(set(case_ids))
    for attempt in range(2):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                function = ensure(cursor, _upkeep_function())
                cursor.execute(
                    "SET LOCAL synchronous_commit = off; SET LOCAL plan_cache_mode = force_generic_plan; "
                    "SELECT pg_advisory_xact_lock(%s, (i %% 2147483647)::int) FROM unnest(%s::bigint[]) AS i "
                    "ORDER BY i",
                    [ADVISORY_NAMESPACE, ids],
                )
                cursor.execute(f"SELECT {function}(%s::bigint[])", [ids])
            return
        except DatabaseError:  # the function is gone (a rolled-back creation, a restored dump) or raced: once more
            if attempt:
                raise
            forget()


def on_transition(case_id: int, event_id: int) -> None:
    """The ``cases.timeline.after_transition`` listener."""
    upkeep(case_id)


def stale_overdue_cases(limit: int = 10_000) -> list[int]:
    """Cases whose overdue flag changed without a transition (``cases.tasks.mark_overdue`` flips it in bulk): an
    overdue case in disposal whose fact does not say so, or a fact that still says so. Both sides use small indexes
    (the case's ``is_overdue`` and the fact's partial index on overdue cases)."""
    sql = f"""
        SELECT c.id FROM cases_case c
        WHERE c.is_overdue AND c.status IN ('dispatched', 'disposing', 'return_requested')
          AND NOT EXISTS (SELECT 1 FROM {FACT} f WHERE f.case_id = c.id AND f.overdue_open > 0)
        UNION
        SELECT f.case_id FROM {FACT} f JOIN cases_case c ON c.id = f.case_id
        WHERE f.overdue_open > 0 AND NOT (c.is_overdue AND c.status IN ('dispatched', 'disposing', 'return_requested'))
        LIMIT %s"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        return [row[0] for row in cursor.fetchall()]


def unrolled_cases(limit: int = 10_000) -> list[int]:
    """Open cases not in the rollups yet: new reports, which intake leaves to ``sync_facts`` (an open case that
    went through any later transition has its fact row). The partial index on open cases keeps this small."""
    terminal = ", ".join(f"'{status}'" for status in sorted(TERMINAL_STATUSES))
    sql = f"""
        SELECT c.id FROM cases_case c
        WHERE c.status NOT IN ({terminal}) AND NOT EXISTS (SELECT 1 FROM {FACT} f WHERE f.case_id = c.id)
        LIMIT %s"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        return [row[0] for row in cursor.fetchall()]


def sync_facts() -> int:
    """Bring the rollups up to date with what changed outside a transition: new reports, and overdue flags set
    (or cleared) in bulk. Returns how many cases were applied."""
    ids = sorted(set(unrolled_cases()) | set(stale_overdue_cases()))
    for begin in range(0, len(ids), 500):
        upkeep(*ids[begin : begin + 500])
    return len(ids)


# ---- Rebuild --------------------------------------------------------------------------------------------------------


def _scope(days: tuple[date, date | None] | None) -> tuple[str, str]:
    """SQL conditions limiting a rebuild to the cases received on *days* (first day, day after the last — None: no
    end; China time): over the case ``c`` and over a rollup's or fact's ``day``. Both true when *days* is None."""
    if days is None:
        return "true", "true"
    low, high = days
    zone = ZoneInfo(settings.TIME_ZONE)
    begin = datetime(low.year, low.month, low.day, tzinfo=zone).isoformat()
    cases, rows = [f"c.received_at >= '{begin}'"], [f"day >= '{low.isoformat()}'"]
    if high is not None:
        cases.append(f"c.received_at < '{datetime(high.year, high.month, high.day, tzinfo=zone).isoformat()}'")
        rows.append(f"day < '{high.isoformat()}'")
    return " AND ".join(cases), " AND ".join(rows)


def _rebuild_statements(days: tuple[date, date | None] | None = None) -> list[tuple[str, str]]:
    in_year, days_in_year = _scope(days)
    measures = ", ".join(f"{sql} AS {name}" for name, sql in CASE_MEASURES.items())
    dims = ", ".join(f"{sql} AS {name}" for sql, name in zip(_dimension_sql(), CASE_DIMENSIONS, strict=True))
    sums = ", ".join(f"sum(f.{m}) AS {m}" for m in MEASURES)
    person = ", ".join(PERSON_MEASURES)
    # Pass 1: one scan of the cases, three groupings of every measure: departments, communities, channels.
    # GROUPING(department_id, community_code, source) tells the sets apart: 0b011, 0b101, 0b110.
    inner = f"SELECT {dims}, {measures} FROM cases_case c WHERE {in_year}"
    wide = (
        f"SELECT f.day, f.department_id, f.community_code, f.source, f.kind, "
        f"GROUPING(f.department_id, f.community_code, f.source) AS grouping_set, {sums} FROM ({inner}) f "
        "GROUP BY GROUPING SETS ((f.day, f.department_id), (f.day, f.community_code), (f.day, f.source, f.kind))"
    )
    listed = ", ".join(MEASURES)
    wide_rollups = (
        f"WITH g AS MATERIALIZED ({wide}), "
        f"d AS (INSERT INTO {DEPARTMENT} (day, department_id, {listed}) "
        f"SELECT day, department_id, {listed} FROM g WHERE grouping_set = 3), "
        f"s AS (INSERT INTO {SOURCE} (day, source, kind, {listed}) "
        f"SELECT day, source, kind, {listed} FROM g WHERE grouping_set = 6) "
        f"INSERT INTO {COMMUNITY} (day, community_code, {listed}) "
        f"SELECT day, community_code, {listed} FROM g WHERE grouping_set = 5"
    )
    # Pass 2: the few measures per grid and the collectors' reports: GROUPING(grid_code, reporter_id) 0b01, 0b10.
    reporter = _person_projections()["reporter_id"]
    person_columns = [f"p{i}" for i in range(len(PERSON_MEASURES))]
    reporter_sums = ", ".join(
        f"{'sum(' + reporter[m] + ')' if m in reporter else '0'} AS {column}"
        for m, column in zip(PERSON_MEASURES, person_columns, strict=True)
    )
    narrow_inner = (
        f"SELECT {dims}, "
        + ", ".join(
            f"{CASE_MEASURES[m]} AS {m}"
            for m in sorted(set(GRID_MEASURES) | {"reported", "accepted", "self_disposed"})  # the reporter's measures
        )
        + f" FROM cases_case c WHERE {in_year}"
    )
    narrow = (
        "SELECT f.day, f.grid_code, f.reporter_id, GROUPING(f.grid_code, f.reporter_id) AS grouping_set, "
        + ", ".join(f"sum(f.{m}) AS {m}" for m in GRID_MEASURES)
        + f", {reporter_sums} FROM ({narrow_inner}) f "
        "GROUP BY GROUPING SETS ((f.day, f.grid_code), (f.day, f.reporter_id))"
    )
    narrow_rollups = (
        f"WITH g AS MATERIALIZED ({narrow}), "
        f"r AS (INSERT INTO {PERSON} (day, user_id, {person}) "
        f"SELECT day, reporter_id, {', '.join(person_columns)} FROM g "
        "WHERE grouping_set = 2 AND reporter_id IS NOT NULL) "
        f"INSERT INTO {GRID} (day, grid_code, {', '.join(GRID_MEASURES)}) "
        f"SELECT day, grid_code, {', '.join(GRID_MEASURES)} FROM g WHERE grouping_set = 1"
    )
    # The other people: who handled each stage, kept on the case. One more scan, grouped first by day and the six
    # stage actors together (a few thousand combinations a day, however many cases), and only those groups unnested
    # into one row per person (``_person_values``): unnesting every case instead cost 13 µs a case (109 s at 10 M).
    needed = sorted(
        {
            name
            for actor, sql in PERSON_MEASURES.values()
            if actor != "reporter_id"
            for name in re.findall(r"f\.(\w+)", sql)
        }
    )
    staff = (
        f"SELECT s.day, {', '.join(f's.{a}' for a in ACTOR_COLUMNS)}, "
        + ", ".join(f"sum(s.{m}) AS {m}" for m in needed)
        + f" FROM (SELECT {dims}, {', '.join(f'c.{a}' for a in ACTOR_COLUMNS)}, "
        + ", ".join(f"{CASE_MEASURES[m]} AS {m}" for m in needed)
        + f" FROM cases_case c WHERE {in_year} AND ({' OR '.join(f'c.{a} IS NOT NULL' for a in ACTOR_COLUMNS)})) s"
        + f" GROUP BY s.day, {', '.join(f's.{a}' for a in ACTOR_COLUMNS)}"
    )
    people = _upsert(
        PERSON,
        ["day", "user_id"],
        list(PERSON_MEASURES),
        f"SELECT f.day, p.user_id, {', '.join(f'sum(p.{m})' for m in PERSON_MEASURES)} "
        f"FROM ({staff}) f {_person_values(with_reporter=False)} WHERE p.user_id IS NOT NULL GROUP BY f.day, p.user_id",
    )
    facts = (
        f"INSERT INTO {FACT} ({', '.join(FACT_COLUMNS)}) SELECT {', '.join(_fact_expressions())} "
        f"FROM cases_case c WHERE {KEEP_FACT} AND {in_year}"
    )
    if days is None:
        clear = [("truncate", f"TRUNCATE {FACT}, {', '.join(ROLLUP_TABLES)}")]
    else:  # those days' rows only: the fact table's DELETE reads one partition
        clear = [(f"clear {table}", f"DELETE FROM {table} WHERE {days_in_year}") for table in [FACT, *ROLLUP_TABLES]]
    return [
        ("lock", f"LOCK TABLE {FACT}, {', '.join(ROLLUP_TABLES)} IN EXCLUSIVE MODE"),
        *clear,
        ("rollups", wide_rollups),
        ("grids and collectors", narrow_rollups),
        ("people", people),
        ("facts", facts),
    ]


def rebuild(
    *, year: int | None = None, days: tuple[date, date | None] | None = None, verbose: bool = False, record: bool = True
) -> dict[str, float]:
    """Recompute the fact table and every rollup from the cases and their events. Returns seconds per step.

    With *year* (or *days*: first day, day after the last), only the figures of the cases received then (China
    time) are recomputed: their rollup days and their facts, reading those cases and the timeline from their first
    day on. The nightly job runs ``rebuild_changed`` (the months whose cases changed); the full rebuild is for a
    change of the measures, which ``rebuild_changed`` notices by itself. A full or yearly rebuild is recorded as a
    ``RollupBuild`` (unless *record* is false)."""
    if year is not None:
        days = (date(year, 1, 1), date(year + 1, 1, 1))
    # What a full or yearly rebuild is recorded as; the months of the nightly job are recorded by ``rebuild_changed``.
    scope = RollupScope.FULL if days is None else RollupScope.YEAR if year is not None else None
    started, last_case_id = timezone.now(), _last_case_id() if record and scope else None
    timings: dict[str, float] = {}
    outermost = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if outermost:  # one snapshot for every statement (inside a caller's transaction, theirs applies)
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        # The planner cannot know that a day holds only a few thousand groups, and would sort ten million rows for
        # the grouping sets; a large work_mem lets it hash every set (actual memory: a few hundred thousand groups).
        cursor.execute("SET LOCAL work_mem = '16GB'")
        cursor.execute("SET LOCAL jit = off")  # compiling ~40 expressions costs more than it saves here
        cursor.execute("SET LOCAL enable_sort = off")  # hash every grouping set: a few thousand groups per day
        for name, sql in _rebuild_statements(days):
            began = time.perf_counter()
            cursor.execute(sql.replace("%", "%%"))
            timings[name] = time.perf_counter() - began
            if verbose:
                logger.info("rebuild %s: %.2f s", name, timings[name])
    if outermost and scope:  # not after a month of the nightly job: autovacuum analyzes those
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {FACT}, {', '.join(ROLLUP_TABLES)}")
        timings["analyze"] = time.perf_counter() - began
    bump_version()
    if record and scope:
        _record(scope, started, timings, year=year, last_case_id=last_case_id)
    return timings


# A transition's ``updated_at`` is set inside its transaction, which may commit a little after: the next
# incremental rebuild looks this far behind the previous one's start so such a change is never missed.
CHANGE_MARGIN = timedelta(hours=1)


def measures_version() -> str:
    """A digest of the rebuild's SQL: it changes when a measure or dimension does, and then the next nightly
    rebuild is a full one."""
    statements = [*_rebuild_statements(), *_rebuild_statements((date(2000, 1, 1), date(2000, 2, 1)))]  # both paths
    text = "\n".join(sql for _name, sql in statements)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def changed_months(since: datetime, after_id: int = 0) -> list[date]:
    """The first days of the months (China time) whose cases were received then and changed from *since* on
    (``updated_at``) or were written after case *after_id* (whatever time they carry); both indexed, so a day's
    changes cost a few thousand rows whatever the history."""
    sql = (
        f"SELECT DISTINCT date_trunc('month', c.received_at AT TIME ZONE '{settings.TIME_ZONE}')::date "
        "FROM cases_case c WHERE c.updated_at >= %s OR c.id > %s ORDER BY 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [since, after_id])
        return [row[0] for row in cursor.fetchall()]


def _last_case_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM cases_case")
        return cursor.fetchone()[0]


def rebuild_changed(*, verbose: bool = False) -> RollupBuild:
    """The nightly rebuild, incremental: only the months whose cases changed since the previous rebuild began (less
    ``CHANGE_MARGIN``) are recomputed, each month in its own transaction (the rollups are per day, so a month is
    independent of the others). With no previous rebuild, or one made with other measures, everything is rebuilt.
    Answers the ``RollupBuild`` recorded: its scope, the months and the seconds per step (summed over the months)."""
    version = measures_version()
    previous = (
        RollupBuild.objects.filter(scope__in=[RollupScope.FULL, RollupScope.CHANGED]).order_by("-started_at").first()
    )
    started, last_case_id = timezone.now(), _last_case_id()
    if previous is None or previous.measures != version:
        timings = rebuild(verbose=verbose, record=False)
        return _record(RollupScope.FULL, started, timings, version=version, last_case_id=last_case_id)
    since = previous.started_at - CHANGE_MARGIN
    months = changed_months(since, previous.last_case_id or 0)
    timings: dict[str, float] = {}
    for first in months:
        last = month_end(first)
        following = None if last == date.max else last + timedelta(days=1)  # December 9999: no day after it
        for step, seconds in rebuild(days=(first, following), verbose=verbose, record=False).items():
            timings[step] = timings.get(step, 0.0) + seconds
    return _record(
        RollupScope.CHANGED, started, timings, version=version, since=since, months=months, last_case_id=last_case_id
    )


def _record(
    scope: str, started: datetime, timings: dict[str, float], version: str | None = None, **fields
) -> RollupBuild:
    finished = timezone.now()
    return RollupBuild.objects.create(
        scope=scope,
        measures=version or measures_version(),
        started_at=started,
        finished_at=finished,
        seconds=(finished - started).total_seconds(),
        timings={step: round(seconds, 3) for step, seconds in timings.items()},
        **fields,
    )


def bump_version() -> None:
    """Tell the figure caches that the rollups were rebuilt."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)
    except Exception:  # Redis down: cached figures expire by themselves
        logger.warning("could not bump the rollup version", exc_info=True)


def version() -> int:
    try:
        return int(cache.get(VERSION_KEY) or 0)
    except Exception:
        return 0
