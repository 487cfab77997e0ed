"""Intake: a report from the field (or another channel) becomes a case.

One transaction and a handful of queries per report: the class comes from an in-process cache, the point's grid from
the spatial index (outside any transaction), the number from one atomic counter statement; photos are checked before
anything is written and their files removed again if the transaction fails. A repeated ``client_uuid`` returns the
case already made, never a second one.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cases.choices import CaseSource, CaseStatus, PhotoKind, Stage
from cases.deadlines import stage_deadline
from cases.events import record_event
from cases.exceptions import ActionForbidden
from cases.models import Case
from cases.numbering import next_case_no
from cases.photos import check_photos, remove_files, save_photos
from grids.choices import Urgency

MAX_BATCH = 500
_CLASS_TTL = 60.0
_classes: dict[str, tuple[int, str]] = {}
_classes_loaded_at = 0.0


def _class_by_code(code: str) -> tuple[int, str] | None:
    """(id, kind) of an active minor class of the default standard, cached in the process for a minute."""
    global _classes_loaded_at
    if time.monotonic() - _classes_loaded_at > _CLASS_TTL:
        from grids.models import MinorClass

        _classes.clear()
        rows = MinorClass.objects.filter(standard__is_default=True, is_active=True).values_list("code", "pk", "kind")
        _classes.update({code_: (pk, kind) for code_, pk, kind in rows})
        _classes_loaded_at = time.monotonic()
    return _classes.get(code)


def clear_class_cache() -> None:
    global _classes_loaded_at
    _classes_loaded_at = 0.0


def _parse_uuid(value, errors: dict) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        errors["client_uuid"] = "Must be a UUID."
        return None


def _parse_reported_at(value, errors: dict) -> datetime | None:
    if value in (None, ""):
        return None
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    if moment is None:
        errors["reported_at"] = "Must be an ISO 8601 date-time."
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now() + timedelta(minutes=10):
        errors["reported_at"] = "Lies in the future."
    return moment


def _locate(lng, lat, errors: dict, at: datetime | None = None):
    from grids.spatial import InvalidCoordinates, OutsideManagedArea, locate_point, validate_lng_lat

    try:
        x, y = validate_lng_lat(lng, lat)
    except InvalidCoordinates as exc:
        errors["lat" if str(exc).startswith("lat") else "lng"] = str(exc)
        return None, None
    try:
        return (x, y), locate_point(x, y, at)
    except OutsideManagedArea as exc:
        errors["location"] = str(exc)
        return (x, y), None


def report_case(
    *,
    reporter,
    class_code,
    lat,
    lng,
    client_uuid=None,
    condition_id=None,
    address: str = "",
    description: str = "",
    component_identifier: str | None = None,
    reported_at=None,
    source: str = CaseSource.COLLECTOR,
    urgency: str | None = None,
    photos=(),
    at: datetime | None = None,
) -> tuple[Case, bool]:
    """Create a case in REPORTED (SELF_DISPOSED for a collector's self-disposal) or return the one this
    ``client_uuid`` already made (``created`` False). Raises ValidationError naming each bad field.
    ``at`` replays a report received in the past (history imports, the demo city); it defaults to now."""
    if not reporter.has_perm("cases.report_case"):
        raise ActionForbidden("your role may not report cases")
    errors: dict[str, str] = {}
    key = _parse_uuid(client_uuid, errors)
    if key is not None:
        existing = Case.objects.filter(client_uuid=key).first()
        if existing is not None:
            return existing, False
    klass = _class_by_code(str(class_code or "").strip())
    if klass is None:
        errors["class_code"] = f"Unknown class code {class_code!r}."
    if source not in CaseSource.values:
        errors["source"] = f"One of {', '.join(CaseSource.values)}."
    if urgency not in (None, "") and urgency not in Urgency.values:
        errors["urgency"] = f"One of {', '.join(Urgency.values)}."
    point, place = _locate(lng, lat, errors, at)
    moment = _parse_reported_at(reported_at, errors)
    condition = component = None
    if condition_id not in (None, "") and klass is not None:
        from grids.models import FilingCondition

        condition = FilingCondition.objects.filter(
            pk=_as_int(condition_id), minor_class_id=klass[0], is_active=True
        ).first()
        if condition is None:
            errors["condition"] = "Not an active filing condition of this class."
    if component_identifier:
        from grids.models import Component

        component = Component.objects.filter(identifier=str(component_identifier).strip()).first()
        if component is None:
            errors["component_id"] = f"No component {component_identifier!r}."
    if len(str(description)) > 4000:
        errors["description"] = "At most 4000 characters."
    if len(str(address)) > 200:
        errors["address"] = "At most 200 characters."
    try:
        checked = check_photos(photos)
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)

    self_disposed = source == CaseSource.SELF_DISPOSAL
    status = CaseStatus.SELF_DISPOSED if self_disposed else CaseStatus.REPORTED
    saved = []
    try:
        with transaction.atomic():
            now = at or timezone.now()
            case = Case(
                case_no=next_case_no(now),
                client_uuid=key,
                kind=klass[1],
                minor_class_id=klass[0],
                condition=condition,
                component=component,
                source=source,
                urgency=urgency or (condition.urgency if condition else Urgency.NORMAL),
                description=str(description),
                address=str(address),
                location=Point(point[0], point[1], srid=4326),
                grid_id=place.grid_id,
                grid_code=place.grid_code,
                community_code=place.community_code,
                street_code=place.street_code,
                district_code=place.district_code,
                reporter=reporter,
                reported_at=moment,
                received_at=now,
                status=status,
                stage_started_at=now,
                stage_deadline=stage_deadline(Stage.CLOSE if self_disposed else Stage.ACCEPT, now),
            )
            case.save()
            record_event(
                case, "report", reporter, "", status, opinion=case.description[:200], data={"source": source}, at=now
            )
            saved = save_photos(case, checked, PhotoKind.BEFORE, taken_at=moment)
    except IntegrityError:
        remove_files(saved)
        if key is not None:  # the same client_uuid won a race: answer with that case
            existing = Case.objects.filter(client_uuid=key).first()
            if existing is not None:
                return existing, False
        raise
    except Exception:
        remove_files(saved)
        raise
    return case, True


def _as_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def report_batch(*, reporter, items: list[dict]) -> list[dict]:
    """Offline sync: up to 500 reports, each on its own (a bad one never fails the good ones)."""
    if len(items) > MAX_BATCH:
        raise ValidationError({"items": f"At most {MAX_BATCH} reports per batch, got {len(items)}."})
    results = []
    for index, item in enumerate(items):
        client_uuid = item.get("client_uuid")
        if not client_uuid:
            results.append({"index": index, "status": "error", "errors": {"client_uuid": "This field is required."}})
            continue
        fields = {
            k: item.get(k)
            for k in (
                "class_code",
                "lat",
                "lng",
                "condition_id",
                "address",
                "description",
                "component_identifier",
                "reported_at",
                "source",
                "urgency",
            )
        }
        fields = {k: v for k, v in fields.items() if v is not None}
        try:
            case, created = report_case(reporter=reporter, client_uuid=client_uuid, **fields)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            results.append(
                {
                    "index": index,
                    "client_uuid": str(client_uuid),
                    "status": "error",
                    "errors": {k: " ".join(v) if isinstance(v, list) else v for k, v in errors.items()},
                }
            )
            continue
        results.append(
            {
                "index": index,
                "client_uuid": str(client_uuid),
                "status": "created" if created else "exists",
                "id": case.pk,
                "case_no": case.case_no,
            }
        )
    return results
