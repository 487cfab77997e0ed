"""Writing checked reports: the cases and their "report" events, in the caller's transaction (a batch: three
statements) or in one statement of their own (a single report outside a transaction: one round trip, one commit)."""

from __future__ import annotations

import functools
from datetime import datetime

from django.contrib.gis.geos import Point
from django.db import connection

from cases.choices import CaseSource, CaseStatus, Stage
from cases.deadlines import stage_deadline
from cases.models import Case, CaseEvent
from cases.numbering import numbering_day, reserve_case_numbers
from cases.services.intake.checks import Report
from cases.timeline import announce


def _new_case(report: Report, case_no: str, reporter, now: datetime, deadlines: dict[str, datetime | None]) -> Case:
    self_disposed = report.source == CaseSource.SELF_DISPOSAL
    place = report.place
    return Case(
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
        reporter=reporter,
        reported_at=report.reported_at,
        received_at=now,
        # Public reports start in REPORTED too: the operator sends them to a collector to verify (派核实).
        status=CaseStatus.SELF_DISPOSED if self_disposed else CaseStatus.REPORTED,
        stage_started_at=now,
        stage_deadline=deadlines[Stage.CLOSE if self_disposed else Stage.ACCEPT],
    )


def _event_data(report: Report) -> dict:
    data = {"source": report.source}
    if report.hotline_ref:
        data["hotline_ref"] = report.hotline_ref
    return data


def write_reports(reports: list[Report], reporter, now: datetime) -> list[tuple[Case, int]]:
    """Insert the cases and their "report" events in the caller's transaction: one statement for the numbers, one
    INSERT for the cases, one for the events (the rows ``cases.timeline.record_event`` would write). Returns
    (case, event id) in the reports' order."""
    needed = {Stage.CLOSE if r.source == CaseSource.SELF_DISPOSAL else Stage.ACCEPT for r in reports}
    deadlines = {stage: stage_deadline(stage, now) for stage in needed}
    numbers = reserve_case_numbers(len(reports), now)
    cases = Case.objects.bulk_create(
        [_new_case(r, no, reporter, now, deadlines) for r, no in zip(reports, numbers, strict=True)]
    )
    role = getattr(reporter, "role", "") or ""
    events = CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=case,
                action="report",
                actor=reporter,
                role=role,
                from_status="",
                to_status=case.status,
                at=now,
                opinion=case.description[:200],
                data=_event_data(report),
            )
            for report, case in zip(reports, cases, strict=True)
        ]
    )
    return [(case, event.pk) for case, event in zip(cases, events, strict=True)]


@functools.cache
def _one_statement() -> tuple[str, list, list]:
    """The SQL of ``write_one`` and the fields it writes, built once per process from the models."""
    fields = [
        f
        for f in Case._meta.concrete_fields
        if not f.primary_key and f.name != "case_no" and not getattr(f, "generated", False)
    ]
    event_fields = [f for f in CaseEvent._meta.concrete_fields if not f.primary_key and f.name != "case"]
    quote = connection.ops.quote_name
    sql = (
        "WITH number AS ("
        " INSERT INTO cases_casenumber (day, last) VALUES (%s, 1)"
        " ON CONFLICT (day) DO UPDATE SET last = cases_casenumber.last + 1 RETURNING last"
        f"), new_case AS (INSERT INTO cases_case (case_no, {', '.join(quote(f.column) for f in fields)})"
        " SELECT %s || '-' || CASE WHEN last < 100000 THEN lpad(last::text, 5, '0') ELSE last::text END,"
        f" {', '.join(['%s'] * len(fields))} FROM number RETURNING id, case_no"
        f"), event AS (INSERT INTO cases_caseevent (case_id, {', '.join(quote(f.column) for f in event_fields)})"
        f" SELECT id, {', '.join(['%s'] * len(event_fields))} FROM new_case RETURNING id)"
        " SELECT new_case.id, new_case.case_no, event.id FROM new_case, event"
    )
    return sql, fields, event_fields


def write_one(report: Report, reporter, now: datetime) -> tuple[Case, int]:
    """A single report in ONE statement — the day's number, the case and its "report" event — so that, outside a
    transaction, the collector's report costs one round trip and one commit. Same rows as ``write_reports``."""
    stage = Stage.CLOSE if report.source == CaseSource.SELF_DISPOSAL else Stage.ACCEPT
    day = numbering_day(now)
    case = _new_case(report, "", reporter, now, {stage: stage_deadline(stage, now)})
    case.updated_at = now
    event = CaseEvent(
        action="report",
        actor=reporter,
        role=getattr(reporter, "role", "") or "",
        from_status="",
        to_status=case.status,
        at=now,
        opinion=case.description[:200],
        data=_event_data(report),
    )
    sql, fields, event_fields = _one_statement()
    values = [f.get_db_prep_save(getattr(case, f.attname), connection) for f in fields]
    event_values = [f.get_db_prep_save(getattr(event, f.attname), connection) for f in event_fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [day, f"{day:%Y%m%d}", *values, *event_values])
        case.pk, case.case_no, event_id = cursor.fetchone()
    case._state.adding = False
    return case, event_id


def announce_all(pairs: list[tuple[int, int]]) -> None:
    for case_id, event_id in pairs:
        announce(case_id, event_id, report=True)
