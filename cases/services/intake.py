"""Intake (上报): a report from the field (or another channel) becomes a case; offline sync takes up to 500 at once.

Fast by construction, because collectors report all day and sync hundreds of queued reports when signal returns:

- reference data (classes, filing conditions) and the reporter's permission come from in-process caches;
- the point's unit grid comes from the spatial layer's in-process index (outside a transaction) or one query for
  all points of a batch (inside one);
- ONE statement writes everything (``_insert_statement``): it takes the day's case numbers and inserts the cases
  and their "report" events, a batch from one array per column (``unnest``, no ORM objects: a batch of 500 costs one
  statement like a single report); the first stage's deadline is computed once per stage for the whole batch;
- photos are checked before anything is written and their files removed again if the transaction fails.

A repeated ``client_uuid`` returns the case already made (``exists``), never a second one — also when two
submissions race: the unique index decides and the loser answers with the winner's case.
"""

from __future__ import annotations

import functools
import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import CaseSource, CaseStatus, PhotoKind, Stage
from cases.deadlines import stage_deadline
from cases.exceptions import ActionForbidden, ClientUuidTaken
from cases.models import Case, CaseEvent
from cases.numbering import numbering_day
from cases.photos import save_photos
from cases.timeline import announce
from core.sanitize import bad_text_message, parse_client_time
from core.uploads import check_photos, remove_files
from grids.choices import ClassKind, Urgency

MAX_BATCH = 500
MAX_DESCRIPTION = 4000
MAX_ADDRESS = 200
MAX_COMPONENT_ID = 17
REFERENCE_TTL = 60.0  # seconds a process trusts its copy of the classes and filing conditions
RELOAD_ON_MISS_AFTER = 2.0  # an unknown code reloads the copy at most this often (a class added a moment ago works)
PERMISSION_TTL = 30.0  # seconds a process trusts "this user may report" (revoking takes effect within this time)

# The fields of a report, as the API and the batch items name them.
REPORT_FIELDS = (
    "client_uuid",
    "class_code",
    "kind",
    "condition",
    "lat",
    "lng",
    "address",
    "description",
    "component_id",
    "reported_at",
    "source",
    "urgency",
)


# ---- process caches -------------------------------------------------------------------------------------------------


@dataclass
class _Reference:
    # (code, kind) → minor class id: the standard numbers component and event classes separately, so one code can
    # name a component class and an event class at once.
    classes: dict[tuple[str, str], int] = field(default_factory=dict)
    conditions: dict[int, tuple[int, str]] = field(default_factory=dict)  # id → (minor class id, urgency)
    loaded_at: float = float("-inf")


_reference = _Reference()
_may_report_cache: dict[tuple, tuple[bool, float]] = {}


def _load_reference() -> _Reference:
    from grids.models import FilingCondition, MinorClass

    classes = MinorClass.objects.filter(standard__is_default=True, is_active=True).values_list("code", "pk", "kind")
    conditions = FilingCondition.objects.filter(is_active=True).values_list("pk", "minor_class_id", "urgency")
    return _Reference(
        classes={(code, kind): pk for code, pk, kind in classes},
        conditions={pk: (class_id, urgency) for pk, class_id, urgency in conditions},
        loaded_at=time.monotonic(),
    )


def _current_reference(*, missed: bool = False) -> _Reference:
    """The cached classes and conditions of the default standard (reloaded after a minute, or on a miss once the
    copy is a couple of seconds old)."""
    global _reference
    age = time.monotonic() - _reference.loaded_at
    if age > REFERENCE_TTL or (missed and age > RELOAD_ON_MISS_AFTER):
        _reference = _load_reference()
    return _reference


def _class_by_code(code: str, kind: str | None, *, names_component: bool = False) -> tuple[int, str] | None:
    """(id, kind) of an active minor class of the default standard with this code, of *kind* when given. A code
    both kinds use means the component class for a report naming a component, else the event class."""
    order = (kind,) if kind else (("component", "event") if names_component else ("event", "component"))
    for missed in (False, True):  # the second copy only after a miss (a tuple of both would reload every 2 s)
        reference = _current_reference(missed=missed)
        for candidate in order:
            pk = reference.classes.get((code, candidate))
            if pk is not None:
                return pk, candidate
    return None


def _condition(pk: int) -> tuple[int, str] | None:
    """(minor class id, urgency) of an active filing condition."""
    found = _current_reference().conditions.get(pk)
    return found if found is not None else _current_reference(missed=True).conditions.get(pk)


def clear_class_cache() -> None:
    """Forget this process's copies (classes, conditions, permissions); tests and admin edits call it."""
    global _reference
    _reference = _Reference()
    _may_report_cache.clear()


def _may_report(user) -> bool:
    """``user.has_perm("cases.report_case")``, remembered for PERMISSION_TTL seconds per user and role: the two
    permission queries of ``has_perm`` would otherwise be a third of a report's cost. A change of role, activity
    or superuser flag is a new key, so it applies at once."""
    key = (user.pk, getattr(user, "role", ""), user.is_active, user.is_superuser)
    now = time.monotonic()
    hit = _may_report_cache.get(key)
    if hit is not None and now - hit[1] < PERMISSION_TTL:
        return hit[0]
    allowed = user.has_perm("cases.report_case")
    if len(_may_report_cache) > 10_000:  # bounded: a process sees a few thousand users at most
        _may_report_cache.clear()
    _may_report_cache[key] = (allowed, now)
    return allowed


# ---- validation ---------------------------------------------------------------------------------------------------


@dataclass
class _Report:
    """One report, checked and ready to write."""

    index: int
    client_uuid: uuid.UUID | None
    class_id: int
    kind: str
    condition_id: int | None
    urgency: str
    component_identifier: str | None
    source: str
    description: str
    address: str
    lng: float
    lat: float
    reported_at: datetime | None
    hotline_ref: str | None = None
    component_id: int | None = None
    place: object = None  # grids.spatial.GridLocation


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _required() -> str:
    return _("This field is required.")


def parse_client_uuid(value, errors: dict, *, required: bool = False) -> uuid.UUID | None:
    if _blank(value):
        if required:
            errors["client_uuid"] = _required()
        return None
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except ValueError:
        errors["client_uuid"] = _("Must be a UUID.")
        return None


def _parse_reported_at(value, errors: dict, now: datetime) -> datetime | None:
    if _blank(value):
        return None
    try:
        return parse_client_time(value, now=now)
    except ValueError as exc:
        errors["reported_at"] = str(exc)
        return None


def _parse_coordinates(lng, lat, errors: dict) -> tuple[float, float] | None:
    from grids.spatial import InvalidCoordinates, validate_lng_lat

    for name, value in (("lng", lng), ("lat", lat)):
        if _blank(value):
            errors[name] = _required()
    if "lng" in errors or "lat" in errors:
        return None
    try:
        return validate_lng_lat(lng, lat)
    except InvalidCoordinates as exc:
        name = "lat" if str(exc).startswith("lat") else "lng"
        errors[name] = _("Must be a number within range, not %(value)r.") % {"value": lat if name == "lat" else lng}
        return None


def _text(value, name: str, limit: int, errors: dict) -> str:
    text = "" if value is None else str(value)
    if len(text) > limit:
        errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    return text


def _check(
    item: dict, index: int, now: datetime, *, require_uuid: bool, sources: tuple[str, ...] = ()
) -> tuple[_Report | None, dict]:
    """Check one report's own fields (no location, component or photos yet); (report, {}) or (None, errors).
    ``sources`` limits the sources the caller may name (the API's rule per role, see ``client_sources``)."""
    errors: dict[str, str] = {}
    for name, value in item.items():  # text PostgreSQL cannot store fails this item alone, naming the field
        if isinstance(value, str) and (problem := bad_text_message(value)):
            errors[name] = problem
    if errors:
        return None, errors
    key = parse_client_uuid(item.get("client_uuid"), errors, required=require_uuid)
    code = "" if item.get("class_code") is None else str(item.get("class_code")).strip()
    kind = item.get("kind") or None
    if kind is not None and kind not in ClassKind.values:
        errors["kind"] = _("One of %(choices)s.") % {"choices": ", ".join(ClassKind.values)}
        kind = None
    klass = _class_by_code(code, kind, names_component=not _blank(item.get("component_id"))) if code else None
    if not code:
        errors["class_code"] = _required()
    elif klass is None:
        errors["class_code"] = _("Unknown class code %(code)r.") % {"code": code}
    condition_id = condition = None
    if not _blank(item.get("condition")):
        try:
            condition_id = int(item["condition"])
        except (TypeError, ValueError):
            errors["condition"] = _("Must be the id of a filing condition.")
        else:
            condition = _condition(condition_id)
            if klass is not None and (condition is None or condition[0] != klass[0]):
                errors["condition"] = _("Not an active filing condition of this class.")
    source = item.get("source") or CaseSource.COLLECTOR
    if source not in (sources or CaseSource.values):
        errors["source"] = _("One of %(choices)s.") % {"choices": ", ".join(sources or CaseSource.values)}
    urgency = item.get("urgency") or None
    if urgency is not None and urgency not in Urgency.values:
        errors["urgency"] = _("One of %(choices)s.") % {"choices": ", ".join(Urgency.values)}
    component = item.get("component_id")
    component = None if _blank(component) else str(component).strip()
    if component is not None and len(component) > MAX_COMPONENT_ID:
        errors["component_id"] = _("At most %(limit)d characters.") % {"limit": MAX_COMPONENT_ID}
    coordinates = _parse_coordinates(item.get("lng"), item.get("lat"), errors)
    reported_at = _parse_reported_at(item.get("reported_at"), errors, now)
    description = _text(item.get("description"), "description", MAX_DESCRIPTION, errors)
    address = _text(item.get("address"), "address", MAX_ADDRESS, errors)
    if errors:
        return None, errors
    report = _Report(
        index=index,
        client_uuid=key,
        class_id=klass[0],
        kind=klass[1],
        condition_id=condition_id,
        urgency=urgency or (condition[1] if condition else Urgency.NORMAL),
        component_identifier=component,
        source=source,
        description=description,
        address=address,
        lng=coordinates[0],
        lat=coordinates[1],
        reported_at=reported_at,
        hotline_ref=item.get("hotline_ref") or None,
    )
    return report, {}


def _locate_all(reports: list[_Report], at: datetime | None, errors: dict[int, dict]) -> None:
    """Give every report its grid snapshot; a point outside every grid is an error under ``location``. Outside a
    transaction for today's grids the spatial layer answers from memory; otherwise one query for all points."""
    from grids.spatial import OutsideManagedArea, locate_many, locate_point

    if not reports:
        return
    if connection.in_atomic_block or at is not None:
        places = locate_many([(r.lng, r.lat) for r in reports], at)
    else:
        places = []
        for r in reports:
            try:
                places.append(locate_point(r.lng, r.lat))
            except OutsideManagedArea:
                places.append(None)
    for report, place in zip(reports, places, strict=True):
        if place is None:
            errors.setdefault(report.index, {})["location"] = _(
                "The point (%(lng).6f, %(lat).6f) is outside the managed area: no unit grid contains it."
            ) % {"lng": report.lng, "lat": report.lat}
        report.place = place


def _find_components(reports: list[_Report], errors: dict[int, dict]) -> None:
    """Resolve component identifiers (one query for all reports)."""
    from grids.models import Component

    wanted = {r.component_identifier for r in reports if r.component_identifier}
    if not wanted:
        return
    found = dict(Component.objects.filter(identifier__in=wanted).values_list("identifier", "pk"))
    for report in reports:
        if report.component_identifier:
            report.component_id = found.get(report.component_identifier)
            if report.component_id is None:
                errors.setdefault(report.index, {})["component_id"] = _("No component %(id)r.") % {
                    "id": report.component_identifier
                }


# ---- writing --------------------------------------------------------------------------------------------------------

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
        SELECT 1, new_case.id, new_case.case_no, event.id FROM new_case, event"""
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


def _status_and_deadline(report: _Report, deadlines: dict[str, datetime | None]) -> tuple[str, datetime | None]:
    # Public reports start in REPORTED too: the operator sends them to a collector to verify (派核实).
    if report.source == CaseSource.SELF_DISPOSAL:
        return CaseStatus.SELF_DISPOSED, deadlines[Stage.CLOSE]
    return CaseStatus.REPORTED, deadlines[Stage.ACCEPT]


def _deadlines(reports: list[_Report], now: datetime) -> dict[str, datetime | None]:
    """The first stage's deadline of every report, computed once per stage: all start at ``now``."""
    needed = {Stage.CLOSE if r.source == CaseSource.SELF_DISPOSAL else Stage.ACCEPT for r in reports}
    return {stage: stage_deadline(stage, now) for stage in needed}


def _event_data(report: _Report) -> dict:
    data = {"source": report.source}
    if report.hotline_ref:
        data["hotline_ref"] = report.hotline_ref
    return data


def _insert(reports: list[_Report], reporter, now: datetime, deadlines: dict) -> list[tuple[int, str, int]]:
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
        **statement.constants,
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
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        rows = cursor.fetchall()
    if len(rows) != len(reports):  # cannot happen: every case has its event
        raise RuntimeError(f"intake wrote {len(rows)} of {len(reports)} reports")
    return [(pk, case_no, event_id) for _n, pk, case_no, event_id in rows]


def _case(report: _Report, pk: int, case_no: str, reporter, now: datetime, deadlines: dict) -> Case:
    """The Case instance of a report just written (the caller gets the same object the ORM would load)."""
    place = report.place
    status, deadline = _status_and_deadline(report, deadlines)
    case = Case(
        **_insert_statement().defaults,
        id=pk,
        case_no=case_no,
        client_uuid=report.client_uuid,
        kind=report.kind,
        minor_class_id=report.class_id,
        condition_id=report.condition_id,
        component_id=report.component_id,
        source=report.source,
        urgency=report.urgency,
        description=report.description,
        address=report.address,
        location=Point(report.lng, report.lat, srid=4326),
        grid_id=place.grid_id,
        grid_code=place.grid_code,
        community_code=place.community_code,
        street_code=place.street_code,
        district_code=place.district_code,
        reporter_id=None if reporter is None else reporter.pk,
        reported_at=report.reported_at,
        received_at=now,
        status=status,
        stage_started_at=now,
        stage_deadline=deadline,
        updated_at=now,
    )
    if reporter is not None:
        case.reporter = reporter
    case._state.adding = False
    case._state.db = connection.alias
    return case


def _write(reports: list[_Report], reporter, now: datetime) -> list[tuple[Case, int]]:
    """Insert the cases and their "report" events (one statement); (case, event id) in the reports' order."""
    deadlines = _deadlines(reports, now)
    written = _insert(reports, reporter, now, deadlines)
    return [
        (_case(report, pk, case_no, reporter, now, deadlines), event_id)
        for report, (pk, case_no, event_id) in zip(reports, written, strict=True)
    ]


def _write_one(report: _Report, reporter, now: datetime) -> tuple[Case, int]:
    """A single report: the day's number, the case and its event in ONE statement, so that outside a transaction
    the collector's report costs one round trip and one commit."""
    [(case, event_id)] = _write([report], reporter, now)
    return case, event_id


def _announce_all(pairs: list[tuple[int, int]]) -> None:
    for case_id, event_id in pairs:
        announce(case_id, event_id, report=True)


# ---- the services -------------------------------------------------------------------------------------------------


def report_case(
    *,
    reporter,
    class_code,
    lat,
    lng,
    kind: str | None = None,
    client_uuid=None,
    condition_id=None,
    address: str = "",
    description: str = "",
    component_identifier: str | None = None,
    reported_at=None,
    source: str = CaseSource.COLLECTOR,
    urgency: str | None = None,
    photos: Iterable = (),
    hotline_ref: str | None = None,
    at: datetime | None = None,
    require_client_uuid: bool = False,
    sources: tuple[str, ...] = (),
    uuid_per_reporter: bool = False,
) -> tuple[Case, bool]:
    """Create a case in REPORTED (SELF_DISPOSED for a collector's self-disposal) or return the one this
    ``client_uuid`` already made (``created`` False). Raises ValidationError naming each bad field, ActionForbidden
    when the reporter's role may not report. ``at`` replays a report received in the past (history imports, the
    demo city); it defaults to now. The API passes ``require_client_uuid`` (the app must send one) and ``sources``
    (what the role may name, ``client_sources``) and ``uuid_per_reporter``: an app's ``client_uuid`` that made
    another user's case raises ClientUuidTaken. (The channels' own keys, such as camera + capture time, stay shared:
    whoever records the same sighting gets the same case.)"""
    # A citizens' report (全民参与, Open311) has no reporting user: the exchange layer's public intake vouches for it.
    if not (reporter is None and source == CaseSource.PUBLIC) and (reporter is None or not _may_report(reporter)):
        raise ActionForbidden(_("Your role may not report cases."))
    # No lookup before the insert: the unique index on client_uuid answers a repeat (the IntegrityError path below),
    # which saves a query on every first submission — the common case by far.
    key = parse_client_uuid(client_uuid, {})
    now = at or timezone.now()
    item = {
        "client_uuid": client_uuid,
        "class_code": class_code,
        "kind": kind,
        "condition": condition_id,
        "lat": lat,
        "lng": lng,
        "address": address,
        "description": description,
        "component_id": component_identifier,
        "reported_at": reported_at,
        "source": source,
        "urgency": urgency,
        "hotline_ref": hotline_ref,
    }
    report, errors = _check(item, 0, now, require_uuid=require_client_uuid, sources=sources)
    item_errors: dict[int, dict] = {}
    if report is not None:
        _locate_all([report], at, item_errors)
        _find_components([report], item_errors)
        errors = item_errors.get(0, {})
    try:
        checked = check_photos(photos)
    except ValidationError as exc:
        errors.update({name: " ".join(messages) for name, messages in exc.message_dict.items()})
    if errors:
        owner = reporter if uuid_per_reporter else None
        existing = _made_by(key, owner)  # a repeat is answered with its case even if its fields no longer pass
        if existing is not None:
            return existing, False
        raise ValidationError(errors)

    saved: list = []
    try:
        if not checked and not connection.in_atomic_block:  # the hot path: one statement, one commit
            case, event_id = _write_one(report, reporter, now)
            announce(case.pk, event_id, report=True)
            return case, True
        with transaction.atomic():
            [(case, event_id)] = _write([report], reporter, now)
            saved = save_photos(case, checked, PhotoKind.BEFORE, taken_at=report.reported_at)
            transaction.on_commit(partial(announce, case.pk, event_id, report=True))
    except IntegrityError:
        remove_files(saved)
        owner = reporter if uuid_per_reporter else None
        existing = _made_by(key, owner)  # this client_uuid made a case before (a repeat, or a race lost)
        if existing is not None:
            return existing, False
        raise
    except BaseException:
        remove_files(saved)
        raise
    return case, True


def _made_by(key: uuid.UUID | None, owner=None) -> Case | None:
    """The case this client_uuid made; with ``owner``, only ever that reporter's own (another user's raises
    ClientUuidTaken). Only the conflict path pays this query; a first submission is decided by the unique index."""
    existing = None if key is None else Case.objects.filter(client_uuid=key).first()
    if existing is not None and owner is not None and existing.reporter_id != owner.pk:
        raise ClientUuidTaken(str(key))
    return existing


def client_sources(user) -> tuple[str, ...]:
    """The sources a user may name when reporting through the case API (the first is the default). A collector
    reports a patrol finding or one they disposed of on the spot; the centre's desk also files part-time collectors'
    and media reports. Channel sources (12345/12319, video, online opinion, inspection, chat group) are set only by
    their channels' own services, never by a client."""
    from core.choices import Role

    if user.role == Role.COLLECTOR:
        return (CaseSource.COLLECTOR, CaseSource.SELF_DISPOSAL)
    return (CaseSource.COLLECTOR, CaseSource.PART_TIME, CaseSource.MEDIA)


def report_batch(
    *, reporter, items: list[dict], at: datetime | None = None, sources: tuple[str, ...] = ()
) -> list[dict]:
    """Offline sync (离线补报): up to 500 reports with the fields of ``POST /api/v1/cases/`` (``client_uuid``
    required in each). Answers one result per item, in order: ``created`` or ``exists`` with ``id`` and ``case_no``,
    or ``error`` with ``errors`` naming the fields. A bad item never fails the good ones; a ``client_uuid`` repeated
    within the batch is created once and then ``exists``."""
    if not _may_report(reporter):
        raise ActionForbidden(_("Your role may not report cases."))
    if len(items) > MAX_BATCH:
        raise ValidationError(
            {"items": _("At most %(max)d reports per batch, got %(count)d.") % {"max": MAX_BATCH, "count": len(items)}}
        )
    now = at or timezone.now()
    results: list[dict | None] = [None] * len(items)
    reports: list[_Report] = []
    errors: dict[int, dict] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors[index] = {"non_field_errors": _("Each item must be an object.")}
            continue
        report, item_errors = _check(item, index, now, require_uuid=True, sources=sources)
        if report is None:
            errors[index] = item_errors
        else:
            reports.append(report)
    _locate_all(reports, at, errors)
    _find_components([r for r in reports if r.index not in errors], errors)
    for index, item_errors in errors.items():
        raw = items[index].get("client_uuid") if isinstance(items[index], dict) else None
        results[index] = {
            "index": index,
            "client_uuid": None if raw is None else str(raw)[:64],
            "status": "error",
            "errors": item_errors,
        }
    _write_batch([r for r in reports if r.index not in errors], reporter, now, results)
    return [r for r in results if r is not None]


def _write_batch(reports: list[_Report], reporter, now: datetime, results: list) -> None:
    """Write the good reports of a batch; those whose ``client_uuid`` is known (already, or earlier in the batch)
    answer ``exists``. A racing submission of the same ``client_uuid`` rolls the attempt back and it is retried."""
    for _attempt in range(3):
        known = {
            key: (pk, case_no)
            for key, pk, case_no, owner in Case.objects.filter(
                client_uuid__in=[r.client_uuid for r in reports]
            ).values_list("client_uuid", "pk", "case_no", "reporter_id")
            if owner == reporter.pk or _taken(results, reports, key)
        }
        fresh, repeats = [], []
        for report in reports:
            if results[report.index] is not None:  # another user's client_uuid: answered as an error
                continue
            if report.client_uuid in known:
                repeats.append(report)
            else:
                known[report.client_uuid] = None  # claimed by this report; later repeats in the batch follow it
                fresh.append(report)
        try:
            with transaction.atomic():
                written = _insert(fresh, reporter, now, _deadlines(fresh, now)) if fresh else []
                transaction.on_commit(partial(_announce_all, [(pk, event_id) for pk, _no, event_id in written]))
        except IntegrityError:
            continue
        for report, (pk, case_no, _event_id) in zip(fresh, written, strict=True):
            known[report.client_uuid] = (pk, case_no)
            results[report.index] = _result(report, "created", pk, case_no)
        for report in repeats:
            pk, case_no = known[report.client_uuid]
            results[report.index] = _result(report, "exists", pk, case_no)
        return
    raise IntegrityError("batch kept colliding with concurrent submissions of the same client_uuid values")


def _taken(results: list, reports: list[_Report], key: uuid.UUID) -> bool:
    """Mark the reports whose client_uuid made another user's case as errors (never that user's case)."""
    for report in reports:
        if report.client_uuid == key:
            results[report.index] = {
                "index": report.index,
                "client_uuid": str(key),
                "status": "error",
                "errors": {"client_uuid": _("Already used by another user's report.")},
            }
    return False


def _result(report: _Report, status: str, pk: int, case_no: str) -> dict:
    return {
        "index": report.index,
        "client_uuid": str(report.client_uuid),
        "status": status,
        "id": pk,
        "case_no": case_no,
    }
