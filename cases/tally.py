"""How many cases each queue holds, without counting the cases: a tally the database keeps.

The console counts its queues on every page and every five-second poll, and the home page on every visit. Counted
from the case table, that reads every open case the user sees: with 217,478 open cases among 10 M
(bench/province.py) the poll alone took 146 ms, and it grows with the open cases of a province.

``cases_casetally`` (``CaseTally``) holds signed counts of cases by (department, status, overdue flag). Statement
triggers on the case table (migration 0018) add, in the writing statement's own transaction, one row per group the
statement changed: a batch of 500 reports adds one row per (department, status) among them, a transition one −1 and
one +1, a write that changes none of the three columns nothing. Writers only ever add rows — none updates a shared
counter — so concurrent reports never wait for each other. ``fold`` (beat, every minute) replaces the rows with one
per group. A scope's counts are then a sum over a few hundred rows, whatever the number of cases (``counts``).

The tally is exact in every snapshot, since a case's change and its tally rows commit together. What bypasses the
triggers — a partition detached or rebuilt (``core.partitions`` then sends ``partition_rows_changed``), a write
with ``session_replication_role = replica`` or into a partition by name — is repaired by ``recount``: on that
signal, and every night when ``repair`` finds a drift. ``fold`` and ``recount`` exclude each other (an advisory
lock); each is a single statement, whose one snapshot both sees the rows it replaces and counts them.

Collectors' scopes (their own reports and their patrol grids) are no set of departments: their counts are read
from the cases themselves, which are few.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db import connections, transaction
from django.db.models import Sum

from cases.models import Case, CaseTally
from cases.querysets import CaseScope

# The advisory lock ``fold`` and ``recount`` take (any constant unique to this use; "tally" in ASCII).
LOCK_KEY = 0x74616C6C79

_TABLE = CaseTally._meta.db_table
_COLUMNS = "department_id, status, is_overdue, cases"

FOLD_SQL = f"""
WITH gone AS (DELETE FROM {_TABLE} RETURNING department_id, status, is_overdue, cases)
INSERT INTO {_TABLE} ({_COLUMNS})
SELECT department_id, status, is_overdue, sum(cases) FROM gone
 GROUP BY department_id, status, is_overdue HAVING sum(cases) <> 0
"""

RECOUNT_SQL = f"""
WITH gone AS (DELETE FROM {_TABLE})
INSERT INTO {_TABLE} ({_COLUMNS})
SELECT department_id, status, is_overdue, count(*) FROM {Case._meta.db_table}
 GROUP BY department_id, status, is_overdue
"""

# Whether folding would change anything: a group with more than one row, or a row of zero.
UNFOLDED_SQL = f"""
SELECT count(*) > count(DISTINCT (department_id, status, is_overdue)) OR coalesce(bool_or(cases = 0), FALSE)
  FROM {_TABLE}
"""


class Drift(NamedTuple):
    """A group where the tally and the cases disagree."""

    department: int | None
    status: str
    overdue: bool
    tallied: int
    counted: int

    def __str__(self) -> str:
        flag = " overdue" if self.overdue else ""
        return (
            f"department {self.department or '-'}, {self.status}{flag}: {self.tallied} tallied, {self.counted} counted"
        )


def counts(scope: CaseScope, using: str | None = None) -> list[tuple[str, bool, int]] | None:
    """``(status, overdue, cases)`` of the cases in *scope*, every status, from the tally; None for a scope the
    tally cannot tell (a collector's)."""
    rows = CaseTally.objects.using(using)
    if scope.departments:
        rows = rows.filter(department_id__in=scope.departments)
    elif not scope.everything:
        return None if scope.collector is not None else []
    grouped = (
        rows.order_by().values_list("status", "is_overdue").annotate(n=Sum("cases")).exclude(n=0)  # HAVING sum <> 0
    )
    return [(status, overdue, int(n)) for status, overdue, n in grouped]


def fold(using: str = "default") -> bool:
    """Replace the tally's rows with one per group (beat, every minute); answers whether there was anything to
    fold. Safe to run twice or alongside writers: it sums exactly the rows it deletes."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cursor.execute(UNFOLDED_SQL)
        if not cursor.fetchone()[0]:
            return False
        cursor.execute(FOLD_SQL)
    return True


def recount(using: str = "default") -> None:
    """Count the tally again from the cases themselves (after a partition change; nightly as a safety net)."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cursor.execute(RECOUNT_SQL)


def drift(using: str = "default") -> list[Drift]:
    """The groups where the tally and the cases disagree.
    None, unless something bypassed the triggers; one statement, so one snapshot of both."""
    grouped = (
        "SELECT coalesce(department_id, 0) AS department, status, is_overdue, {n} AS n FROM {table} GROUP BY 1, 2, 3"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"""
            WITH tallied AS ({grouped.format(n="sum(cases)", table=_TABLE)}),
                 counted AS ({grouped.format(n="count(*)", table=Case._meta.db_table)})
            SELECT nullif(department, 0), status, is_overdue, coalesce(t.n, 0), coalesce(c.n, 0)
              FROM tallied t FULL JOIN counted c USING (department, status, is_overdue)
             WHERE coalesce(t.n, 0) <> coalesce(c.n, 0)
             ORDER BY 1, 2, 3
            """
        )
        return [Drift(d, s, o, int(t), int(c)) for d, s, o, t, c in cursor.fetchall()]


def repair(using: str = "default") -> list[Drift]:
    """Recount the tally if it drifted (the nightly safety net); answers the drift it found."""
    found = drift(using)
    if found:
        recount(using)
    return found
