"""Offline sync (离线补报): up to ``MAX_BATCH`` queued reports at once, ``report_batch``; a bad item never fails the
good ones, and a ``client_uuid`` already used answers ``exists``."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.exceptions import ActionForbidden
from cases.models import Case
from cases.services.intake.checks import Report, check_report, find_components, locate_all
from cases.services.intake.reference import may_report
from cases.services.intake.writing import announce_all, deadlines_of, insert_reports

MAX_BATCH = 500


def report_batch(
    *, reporter, items: list[dict], at: datetime | None = None, sources: tuple[str, ...] = ()
) -> list[dict]:
    """Offline sync (离线补报): up to 500 reports with the fields of ``POST /api/v1/cases/`` (``client_uuid``
    required in each). Answers one result per item, in order: ``created`` or ``exists`` with ``id`` and ``case_no``,
    or ``error`` with ``errors`` naming the fields. A bad item never fails the good ones; a ``client_uuid`` repeated
    within the batch is created once and then ``exists``."""
    if not may_report(reporter):
        raise ActionForbidden(_("Your role may not report cases."))
    if len(items) > MAX_BATCH:
        raise ValidationError(
            {"items": _("At most %(max)d reports per batch, got %(count)d.") % {"max": MAX_BATCH, "count": len(items)}}
        )
    now = at or timezone.now()
    results: list[dict | None] = [None] * len(items)
    reports: list[Report] = []
    errors: dict[int, dict] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors[index] = {"non_field_errors": _("Each item must be an object.")}
            continue
        report, item_errors = check_report(item, index, now, require_uuid=True, sources=sources)
        if report is None:
            errors[index] = item_errors
        else:
            reports.append(report)
    locate_all(reports, at, errors)
    find_components([r for r in reports if r.index not in errors], errors)
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


def _write_batch(reports: list[Report], reporter, now: datetime, results: list) -> None:
    """Write the good reports of a batch; those whose ``client_uuid`` is known (already, or earlier in the batch)
    answer ``exists``. A racing submission of the same ``client_uuid`` rolls the attempt back and it is retried."""
    for _attempt in range(3):
        known = {
            key: (pk, case_no)
            for key, pk, case_no, owner in Case.objects.filter(
                key__client_uuid__in=[r.client_uuid for r in reports]  # unique in CaseKey, across every year
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
                written = insert_reports(fresh, reporter, now, deadlines_of(fresh, now)) if fresh else []
                transaction.on_commit(partial(announce_all, [(pk, event_id) for pk, _no, event_id in written]))
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


def _taken(results: list, reports: list[Report], key: uuid.UUID) -> bool:
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


def _result(report: Report, status: str, pk: int, case_no: str) -> dict:
    return {
        "index": report.index,
        "client_uuid": str(report.client_uuid),
        "status": status,
        "id": pk,
        "case_no": case_no,
    }
