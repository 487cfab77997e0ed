"""One report (上报) from the field, the API or another channel becomes a case: ``report_case``."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import CaseSource, PhotoKind
from cases.exceptions import ActionForbidden, ClientUuidTaken
from cases.models import Case
from cases.photos import save_photos
from cases.services.intake.checks import check_report, find_components, locate_all, parse_client_uuid
from cases.services.intake.reference import may_report
from cases.services.intake.writing import write_one, write_reports
from cases.timeline import announce
from core.uploads import check_photos, remove_files


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
    if not (reporter is None and source == CaseSource.PUBLIC) and (reporter is None or not may_report(reporter)):
        raise ActionForbidden(_("Your role may not report cases."))
    # No lookup before the insert: the unique index on client_uuid (cases_casekey, written by the insert's trigger)
    # answers a repeat (the IntegrityError path below),
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
    report, errors = check_report(item, 0, now, require_uuid=require_client_uuid, sources=sources)
    item_errors: dict[int, dict] = {}
    if report is not None:
        locate_all([report], at, item_errors)
        find_components([report], item_errors)
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
            case, event_id = write_one(report, reporter, now)
            announce(case.pk, event_id, report=True)
            return case, True
        with transaction.atomic():
            [(case, event_id)] = write_reports([report], reporter, now)
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
    existing = None if key is None else Case.objects.filter(key__client_uuid=key).first()
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
