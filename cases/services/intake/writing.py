"""Writing checked reports: the cases and their "report" events in ONE statement (``_insert_statement``): it takes
the day's case numbers and inserts the cases and their events, a batch from one array per column (``unnest``, no
ORM objects: a batch of 500 costs one statement like a single report); the first stage's deadline is computed once
per stage for the whole batch."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime

from django.db import ProgrammingError, connection
from django.db.models.base import DEFERRED

from cases.choices import CaseSource, CaseStatus, Stage
from cases.deadlines import stage_deadline
from cases.models import Case, CaseEvent
from cases.numbering import numbering_day
from cases.services.intake.checks import Report
from cases.timeline import announce
from core.stored_statements import StoredStatement, ensure, forget, stored_statement

# The columns a report fills, in the order of the statement's arrays, with their PostgreSQL types. The statement
# also sets case_no (the day's numbers), location (from lng/lat), the reporter and the times (one value for all its
# rows); every other column of cases_case gets its model default, the same for every row.
_REPORT_COLUMNS = (
    ("client_uuid", "uuid"),
    ("kind", "text"),
    ("minor_class_id", "bigint"),
    ("condition_id", "bigint"),
    ("component_id", "bigint"),
    ("source", "text"),
    ("urgency", "text"),
    ("description", "text"),
    ("address", "text"),
    ("grid_id", "bigint"),
    ("grid_code", "text"),
    ("community_code", "text"),
    ("street_code", "text"),
    ("district_code", "text"),
    ("reported_at", "timestamptz"),
    ("status", "text"),
    ("stage_deadline", "timestamptz"),
)
_SET_BY_STATEMENT = {"case_no", "location", "reporter_id", "received_at", "stage_started_at", "updated_at"}
_EVENT_COLUMNS = {"case_id", "action", "role", "data", "actor_id", "from_status", "to_status", "at", "opinion"}


@dataclass(frozen=True)
class _Insert:
    sql: str
    constants: dict[str, object]  # parameters of the columns that take their model default
    defaults: dict[str, object]  # attname → default, for building the returned Case instances


@functools.cache
def _insert_statement(single: bool = False) -> _Insert:
    """The one statement that writes reports (built once per process from the models): it takes the day's numbers,
    inserts the cases from one array per column (``unnest``: a batch of 500 costs one statement, planned once, like a
    single report) and their "report" events (the rows ``cases.timeline.record_event`` would write), and returns
    (position, case id, case_no, event id) in the reports' order. ``single``: the same with one value per column
    instead of arrays (a collector's report: a simpler statement to plan)."""
    quote = connection.ops.quote_name
    per_row = [column for column, _type in _REPORT_COLUMNS]
    constants, defaults = {}, {}
    for f in Case._meta.concrete_fields:
        if f.primary_key or getattr(f, "generated", False) or f.column in _SET_BY_STATEMENT or f.column in per_row:
            continue
        constants[f"c_{f.column}"] = f.get_db_prep_save(f.get_default(), connection)
        defaults[f.attname] = f.get_default()
    event_columns = {f.column for f in CaseEvent._meta.concrete_fields if not f.primary_key}
    if event_columns != _EVENT_COLUMNS:  # a new event column needs a value here
        raise RuntimeError(f"cases_caseevent has columns {sorted(event_columns)}; intake writes {_EVENT_COLUMNS}")
    head = "case_no, location, reporter_id, received_at, stage_started_at, updated_at"
    columns = ", ".join(quote(c) for c in per_row) + ", " + ", ".join(quote(c[2:]) for c in constants)
    number = """
        WITH number AS (
            INSERT INTO cases_casenumber (day, last) VALUES (%(day)s, %(count)s)
            ON CONFLICT (day) DO UPDATE SET last = cases_casenumber.last + EXCLUDED.last RETURNING last
        )"""
    if single:  # no arrays, no joins: the plan of a plain three-row insert
        sql = f"""{number}, new_case AS (
            INSERT INTO cases_case ({head}, {columns})
            SELECT %(prefix)s || '-' || CASE WHEN last < 100000 THEN lpad(last::text, 5, '0') ELSE last::text END,
                ST_SetSRID(ST_MakePoint(%(a_lng)s, %(a_lat)s), 4326), %(reporter)s, %(now)s, %(now)s, %(now)s,
                {", ".join(f"%(a_{c})s" for c in per_row)}, {", ".join(f"%({c})s" for c in constants)}
            FROM number RETURNING id, case_no
        ), event AS (
            INSERT INTO cases_caseevent (case_id, action, role, data, actor_id, from_status, to_status, at, opinion)
            SELECT id, 'report', %(role)s, %(a_data)s, %(reporter)s, '', %(a_status)s, %(now)s, %(opinion)s
            FROM new_case RETURNING id
        )
        SELECT 1, new_case.id, new_case.case_no::text, event.id FROM new_case, event"""
        return _Insert(sql=sql, constants=constants, defaults=defaults)
    arrays = ", ".join(f"%(a_{column})s::{kind}[]" for column, kind in _REPORT_COLUMNS)
    rows = f"unnest({arrays}, %(a_lng)s::float8[], %(a_lat)s::float8[], %(a_data)s::jsonb[]) WITH ORDINALITY"
    sql = f"""
{number}, src AS MATERIALIZED (
            SELECT u.*, %(prefix)s || '-' || CASE WHEN number.last - %(count)s + u.n < 100000
                THEN lpad((number.last - %(count)s + u.n)::text, 5, '0')
                ELSE (number.last - %(count)s + u.n)::text END AS case_no
            FROM number, {rows} AS u({", ".join(per_row)}, lng, lat, data, n)
        ), new_case AS (
            INSERT INTO cases_case ({head}, {columns})
            SELECT case_no, ST_SetSRID(ST_MakePoint(lng, lat), 4326), %(reporter)s, %(now)s, %(now)s, %(now)s,
                {", ".join(per_row)}, {", ".join(f"%({c})s" for c in constants)}
            FROM src ORDER BY n
            RETURNING id, case_no, status, description
        ), event AS (
            INSERT INTO cases_caseevent (case_id, action, role, data, actor_id, from_status, to_status, at, opinion)
            SELECT c.id, 'report', %(role)s, s.data, %(reporter)s, '', c.status, %(now)s, left(c.description, 200)
            FROM new_case c JOIN src s USING (case_no) ORDER BY s.n
            RETURNING id, case_id
        )
        SELECT s.n, c.id, c.case_no, e.id FROM new_case c JOIN event e ON e.case_id = c.id JOIN src s USING (case_no)
        ORDER BY s.n"""
    return _Insert(sql=sql, constants=constants, defaults=defaults)


# The arguments of the stored single-report statement ($1, $2, … in this order): the per-report columns, then what
# the statement sets itself.
_SINGLE_ARGUMENTS = (
    *((f"a_{column}", kind) for column, kind in _REPORT_COLUMNS),
    ("a_lng", "float8"),
    ("a_lat", "float8"),
    ("a_data", "jsonb"),
    ("day", "date"),
    ("prefix", "text"),
    ("reporter", "bigint"),
    ("role", "text"),
    ("now", "timestamptz"),
    ("opinion", "text"),
)


@functools.cache
def _stored_single() -> StoredStatement:
    """The single report's statement as a stored PL/pgSQL function (``core.stored_statements``): a collector's
    report then costs no parse, analysis or planning of the three-insert statement, about a third of its database
    time (README: Benchmarks). The columns that take their model default become literals of its body."""
    statement = _insert_statement(single=True)
    sql = statement.sql.replace("%(count)s", "1")
    for position, (name, _kind) in enumerate(_SINGLE_ARGUMENTS, start=1):
        sql = sql.replace(f"%({name})s", f"${position}")
    with connection.cursor() as cursor:
        for name, value in statement.constants.items():
            sql = sql.replace(f"%({name})s", cursor.mogrify("%s", [value]).decode())
    if "%(" in sql:  # a placeholder with no argument: the statement and _SINGLE_ARGUMENTS disagree
        raise RuntimeError(f"intake's stored statement left a placeholder: {sql}")
    return stored_statement(
        "cases_report_one",
        [kind for _name, kind in _SINGLE_ARGUMENTS],
        "TABLE (r_n integer, r_case bigint, r_case_no text, r_event bigint)",
        f"BEGIN RETURN QUERY {sql}; END",
    )


@functools.cache
def _single_call() -> str:
    arguments = ", ".join(f"%({name})s::{kind}" for name, kind in _SINGLE_ARGUMENTS)
    return f"SELECT * FROM {_stored_single().name}({arguments})"


def _write_stored(params: dict) -> list[tuple]:
    """One report through the stored statement, outside a transaction (each call commits by itself); a function
    that vanished (a restored dump) is created again once."""
    for attempt in range(2):
        try:
            with connection.cursor() as cursor:
                ensure(cursor, _stored_single())
                cursor.execute(_single_call(), params)
                return cursor.fetchall()
        except ProgrammingError:
            if attempt:
                raise
            forget()
    raise AssertionError("unreachable")


def _status_and_deadline(report: Report, deadlines: dict[str, datetime | None]) -> tuple[str, datetime | None]:
    # Public reports start in REPORTED too: the operator sends them to a collector to verify (派核实).
    if report.source == CaseSource.SELF_DISPOSAL:
        return CaseStatus.SELF_DISPOSED, deadlines[Stage.CLOSE]
    return CaseStatus.REPORTED, deadlines[Stage.ACCEPT]


def deadlines_of(reports: list[Report], now: datetime) -> dict[str, datetime | None]:
    """The first stage's deadline of every report, computed once per stage: all start at ``now``."""
    needed = {Stage.CLOSE if r.source == CaseSource.SELF_DISPOSAL else Stage.ACCEPT for r in reports}
    return {stage: stage_deadline(stage, now) for stage in needed}


def _event_data(report: Report) -> dict:
    data = {"source": report.source}
    if report.hotline_ref:
        data["hotline_ref"] = report.hotline_ref
    return data


def insert_reports(reports: list[Report], reporter, now: datetime, deadlines: dict) -> list[tuple[int, str, int]]:
    """Write the reports' cases and "report" events with one statement (see ``_insert_statement``); returns
    (case id, case_no, event id) in the reports' order. Atomic by itself; callers wrap it in a transaction only
    when more must commit with it."""
    single = len(reports) == 1
    statement = _insert_statement(single)
    columns: list[list] = [[] for _column in _REPORT_COLUMNS]
    lngs, lats, data = [], [], []
    for r in reports:
        place = r.place
        status, deadline = _status_and_deadline(r, deadlines)
        row = (
            None if r.client_uuid is None else str(r.client_uuid),
            r.kind,
            r.class_id,
            r.condition_id,
            r.component_id,
            r.source,
            r.urgency,
            r.description,
            r.address,
            place.grid_id,
            place.grid_code,
            place.community_code,
            place.street_code,
            place.district_code,
            r.reported_at,
            status,
            deadline,
        )
        for values, value in zip(columns, row, strict=True):
            values.append(value)
        lngs.append(r.lng)
        lats.append(r.lat)
        data.append(json.dumps(_event_data(r), ensure_ascii=False))
    day = numbering_day(now)
    params = {
        **{
            f"a_{column}": values[0] if single else values
            for (column, _type), values in zip(_REPORT_COLUMNS, columns, strict=True)
        },
        "a_lng": lngs[0] if single else lngs,
        "a_lat": lats[0] if single else lats,
        "a_data": data[0] if single else data,
        "day": day,
        "prefix": f"{day:%Y%m%d}",
        "count": len(reports),
        "reporter": None if reporter is None else reporter.pk,
        "role": getattr(reporter, "role", "") or "",
        "now": now,
    }
    if single:
        params["opinion"] = reports[0].description[:200]
    if single and not connection.in_atomic_block:  # the collector's report: one call of the stored statement
        rows = _write_stored(params)  # its body holds the model defaults as literals
    else:
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, {**statement.constants, **params})
            rows = cursor.fetchall()
    if len(rows) != len(reports):  # cannot happen: every case has its event
        raise RuntimeError(f"intake wrote {len(rows)} of {len(reports)} reports")
    return [(pk, case_no, event_id) for _n, pk, case_no, event_id in rows]


@functools.cache
def _case_attnames() -> tuple[str, ...]:
    return tuple(f.attname for f in Case._meta.concrete_fields)


def _case(report: Report, pk: int, case_no: str, reporter, now: datetime, deadlines: dict) -> Case:
    """The Case instance of a report just written (the caller gets the same object the ORM would load), built the
    way the ORM builds a loaded row: every field positionally; the point stays text (EWKT) until it is read."""
    place = report.place
    status, deadline = _status_and_deadline(report, deadlines)
    values = {
        **_insert_statement().defaults,
        "id": pk,
        "case_no": case_no,
        "client_uuid": report.client_uuid,
        "kind": report.kind,
        "minor_class_id": report.class_id,
        "condition_id": report.condition_id,
        "component_id": report.component_id,
        "source": report.source,
        "urgency": report.urgency,
        "description": report.description,
        "address": report.address,
        "location": f"SRID=4326;POINT({report.lng!r} {report.lat!r})",
        "grid_id": place.grid_id,
        "grid_code": place.grid_code,
        "community_code": place.community_code,
        "street_code": place.street_code,
        "district_code": place.district_code,
        "reporter_id": None if reporter is None else reporter.pk,
        "reported_at": report.reported_at,
        "received_at": now,
        "status": status,
        "stage_started_at": now,
        "stage_deadline": deadline,
        "updated_at": now,
    }
    case = Case(*(values.get(name, DEFERRED) for name in _case_attnames()))  # a generated column stays deferred
    if reporter is not None:
        case.reporter = reporter
    case._state.adding = False
    case._state.db = connection.alias
    return case


def write_reports(reports: list[Report], reporter, now: datetime) -> list[tuple[Case, int]]:
    """Insert the cases and their "report" events (one statement); (case, event id) in the reports' order."""
    deadlines = deadlines_of(reports, now)
    written = insert_reports(reports, reporter, now, deadlines)
    return [
        (_case(report, pk, case_no, reporter, now, deadlines), event_id)
        for report, (pk, case_no, event_id) in zip(reports, written, strict=True)
    ]


def write_one(report: Report, reporter, now: datetime) -> tuple[Case, int]:
    """A single report: the day's number, the case and its event in ONE statement, so that outside a transaction
    the collector's report costs one round trip and one commit."""
    [(case, event_id)] = write_reports([report], reporter, now)
    return case, event_id


def announce_all(pairs: list[tuple[int, int]]) -> None:
    for case_id, event_id in pairs:
        announce(case_id, event_id, report=True)
