"""Append-only tables at the database level: a PL/pgSQL trigger refusing UPDATE and DELETE on a row.

Used by the migrations of the audit log and of every event table, so a history stays what it was even for code or
a SQL session that bypasses the models. TRUNCATE is statement-level and not refused: the test suite's flush needs it.
An administrator archiving rows older than the retention period does so in a maintenance window with
``ALTER TABLE … DISABLE TRIGGER …_append_only`` (README: Security and operations); nothing in the platform deletes them.

Migrations call ``append_only(table)``; the shared function is created once by core's migration 0004.
"""

from __future__ import annotations

from django.db import migrations

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION citymgmt_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on %: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""
DROP_FUNCTION_SQL = "DROP FUNCTION IF EXISTS citymgmt_refuse_change();"


def trigger_name(table: str) -> str:
    return f"{table}_append_only"


def append_only(table: str) -> migrations.RunSQL:
    """The reversible migration operation making *table* refuse UPDATE and DELETE of its rows."""
    name = trigger_name(table)
    return migrations.RunSQL(
        sql=f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION citymgmt_refuse_change();",
        reverse_sql=f"DROP TRIGGER IF EXISTS {name} ON {table};",
    )


def refuse_change_function() -> migrations.RunSQL:
    return migrations.RunSQL(sql=FUNCTION_SQL, reverse_sql=DROP_FUNCTION_SQL)
