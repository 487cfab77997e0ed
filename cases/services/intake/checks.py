"""Checking reports before anything is written: each report's own fields (``check_report``), then for all reports
of a call at once their unit grid (``locate_all``) and their component (``find_components``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils.translation import gettext as _

from cases.choices import CaseSource
from cases.services.intake.reference import active_condition, class_by_code
from core.sanitize import bad_text_message, parse_client_time
from grids.choices import ClassKind, Urgency

MAX_DESCRIPTION = 4000
MAX_ADDRESS = 200
MAX_COMPONENT_ID = 17

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


@dataclass
class Report:
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


def check_report(
    item: dict, index: int, now: datetime, *, require_uuid: bool, sources: tuple[str, ...] = ()
) -> tuple[Report | None, dict]:
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
    klass = class_by_code(code, kind, names_component=not _blank(item.get("component_id"))) if code else None
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
            condition = active_condition(condition_id)
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
    report = Report(
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


def locate_all(reports: list[Report], at: datetime | None, errors: dict[int, dict]) -> None:
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


def find_components(reports: list[Report], errors: dict[int, dict]) -> None:
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
