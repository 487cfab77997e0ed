"""Hot statements kept as PL/pgSQL functions ("stored statements").

PL/pgSQL plans each statement of a function once per server session and keeps the plan, so calling the function
costs no parse, analysis or planning, which is the speed of a prepared statement. Unlike a prepared statement, it
leaves no state in the client's session for a pooler in transaction mode to lose: behind PgBouncer every call may
reach another server session, and each finds the function in the database (README: Deployment).

A function's name carries a digest of its text, so code that changed never calls an older body; the first call in a
process creates it if it is missing (``ensure``). A function can still vanish under a running process (a restored
dump, a creation rolled back with its transaction): the caller catches the error, calls ``forget`` and tries once
more.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import connections


@dataclass(frozen=True)
class StoredStatement:
    name: str  # e.g. evaluation_upkeep_1a2b3c4d5e6f
    arguments: str  # the argument types, as in DROP FUNCTION name(arguments)
    create: str  # CREATE OR REPLACE FUNCTION …


def stored_statement(prefix: str, arguments: list[str], returns: str, body: str) -> StoredStatement:
    """A PL/pgSQL function named ``prefix`` + a digest of its definition. ``body`` is the text between BEGIN and
    END (with a DECLARE section before BEGIN if it needs one: pass it whole, starting with DECLARE or BEGIN); its
    arguments are $1, $2, … in the order of ``arguments`` (their types)."""
    signature = ", ".join(arguments)
    digest = hashlib.sha1(f"{signature}\n{returns}\n{body}".encode()).hexdigest()[:12]
    name = f"{prefix}_{digest}"
    create = (
        f"CREATE OR REPLACE FUNCTION {name}({signature}) RETURNS {returns} LANGUAGE plpgsql AS $stored$ {body} $stored$"
    )
    return StoredStatement(name=name, arguments=signature, create=create)


_READY: set[tuple[str, str]] = set()  # (database name, function) this process has seen in place


def ensure(cursor, statement: StoredStatement, using: str = "default") -> str:
    """Create the function unless this process already saw it in this database; answer its name."""
    key = (connections[using].settings_dict["NAME"], statement.name)
    if key not in _READY:
        cursor.execute("SELECT to_regproc(%s) IS NOT NULL", [statement.name])
        if not cursor.fetchone()[0]:
            cursor.execute(statement.create)
        _READY.add(key)
    return statement.name


def forget() -> None:
    """Check every function again before its next use (after one was found missing)."""
    _READY.clear()
