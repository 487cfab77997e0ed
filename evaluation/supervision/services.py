"""State changes of supervision: inspection records, their reversals and corrections, training records.

Every function checks the actor's permission, validates everything before writing anything (a ``ValidationError``
naming the field), and writes in one transaction. Evidence photos are checked by content (``cases.photos``) and
removed again when the transaction fails. The ``*_once`` variants (the API) key a record by the submitting device's
``client_uuid``: a repeated submission returns the record already made. The company's monthly assessment has its own
module (``assessment.py``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.choices import Role
from core.uploads import check_photos, remove_files
from core.workflow import role_of
from evaluation.supervision.models import (
    InspectionCorrection,
    InspectionKind,
    InspectionPhoto,
    InspectionRecord,
    Training,
    TrainingAttendance,
)

INSPECT_PERMISSION = "evaluation.inspect_collectors"
VIEW_INSPECTIONS = "evaluation.view_inspectionrecord"
TRAIN_PERMISSION = "evaluation.add_training"
CASE_KINDS = {InspectionKind.FALSE, InspectionKind.DUPLICATE}
CORRECTABLE = ("kind", "grid_code", "description", "deduction")


def visible_records(user):
    """Inspectors and supervisors see every record; a collector sees the records about themselves."""
    records = InspectionRecord.objects.select_related("collector", "inspector", "case")
    if user.has_perm(INSPECT_PERMISSION) or user.has_perm(VIEW_INSPECTIONS):
        return records
    return records.filter(collector=user)


def _require(actor, permission: str) -> None:
    if actor is None or not actor.has_perm(permission):
        raise PermissionDenied(_("You do not have permission to perform this action."))


def _check_fields(*, collector, kind: str, case, deduction, grid_code: str, description: str) -> None:
    errors = {}
    if collector is None or collector.role != Role.COLLECTOR or not collector.is_active:
        errors["collector"] = _("Choose an active collector.")
    if kind not in InspectionKind.values:
        errors["kind"] = _("Choose a kind of finding.")
    if case is not None and kind not in CASE_KINDS:
        errors["case"] = _("Only a false or duplicate report is linked to a case.")
    if case is not None and case.reporter_id != getattr(collector, "pk", None):
        errors["case"] = _("The case was not reported by this collector.")
    if deduction is None or Decimal(deduction) < 0:
        errors["deduction"] = _("The deduction is a number of points, zero or more.")
    if grid_code and not grid_code.isdigit():
        errors["grid_code"] = _("A unit grid code is made of digits.")
    if not (description or "").strip():
        errors["description"] = _("Describe what the team found.")
    if errors:
        raise ValidationError(errors)


def _store_photos(record, photos) -> list[InspectionPhoto]:
    rows = []
    try:
        for photo in photos:
            row = InspectionPhoto(record=record, content_type=photo.content_type, size=photo.size, sha256=photo.sha256)
            row.image.save(f"{record.pk}-{photo.sha256[:12]}.{photo.extension}", photo.file, save=False)
            rows.append(row)
        InspectionPhoto.objects.bulk_create(rows)
    except Exception:
        remove_files(rows)
        raise
    return rows


def record_inspection(
    actor,
    *,
    inspected_on: date,
    team: str,
    collector,
    kind: str,
    description: str,
    deduction: Decimal,
    grid_code: str = "",
    case=None,
    photos=(),
) -> InspectionRecord:
    """Write one inspection record with its evidence photos; the actor is the inspector and the recorder."""
    record, _created = record_inspection_once(
        actor,
        None,
        inspected_on=inspected_on,
        team=team,
        collector=collector,
        kind=kind,
        description=description,
        deduction=deduction,
        grid_code=grid_code,
        case=case,
        photos=photos,
    )
    return record


def _repeat(model, actor, client_uuid):
    """The row a device already submitted under *client_uuid* (None: none); another user's id is refused."""
    if client_uuid is None:
        return None
    existing = model.objects.filter(client_uuid=client_uuid).first()
    if existing is not None and existing.created_by_id != actor.pk:
        raise ValidationError({"client_uuid": _("This id belongs to a record submitted by someone else.")})
    return existing


def record_inspection_once(
    actor,
    client_uuid,
    *,
    inspected_on: date,
    team: str,
    collector,
    kind: str,
    description: str,
    deduction: Decimal,
    grid_code: str = "",
    case=None,
    photos=(),
) -> tuple[InspectionRecord, bool]:
    """``record_inspection`` keyed by the submitting device's *client_uuid* (None: not keyed): (record, True) when
    written now, (the record made before, False) for a repeat — the unique index decides, so a race writes one."""
    _require(actor, INSPECT_PERMISSION)
    existing = _repeat(InspectionRecord, actor, client_uuid)
    if existing is not None:
        return existing, False
    if not (team or "").strip():
        raise ValidationError({"team": _("Name the inspection team.")})
    if inspected_on is None or inspected_on > timezone.localdate():
        raise ValidationError({"inspected_on": _("The date of an inspection cannot be in the future.")})
    _check_fields(
        collector=collector, kind=kind, case=case, deduction=deduction, grid_code=grid_code, description=description
    )
    checked = check_photos(photos)
    rows: list[InspectionPhoto] = []
    try:
        with transaction.atomic():
            record = InspectionRecord.objects.create(
                inspected_on=inspected_on,
                team=team.strip(),
                inspector=actor,
                collector=collector,
                kind=kind,
                grid_code=grid_code,
                case=case,
                description=description.strip(),
                deduction=Decimal(deduction),
                created_by=actor,
                client_uuid=client_uuid,
            )
            rows = _store_photos(record, checked)
    except IntegrityError:
        remove_files(rows)
        existing = _repeat(InspectionRecord, actor, client_uuid)
        if existing is None:
            raise
        return existing, False
    except Exception:
        remove_files(rows)
        raise
    return record, True


def reverse_inspection(actor, record: InspectionRecord, reason: str) -> InspectionRecord:
    """Cancel a record by a new one with the opposite deduction (the original stays as it was)."""
    _require(actor, INSPECT_PERMISSION)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the reversal.")})
    with transaction.atomic():
        original = InspectionRecord.objects.select_for_update().get(pk=record.pk)
        if original.reverses_id is not None:
            raise ValidationError({"record": _("A reversing record cannot itself be reversed.")})
        if InspectionRecord.objects.filter(reverses=original).exists():
            raise ValidationError({"record": _("This record has already been reversed.")})
        return InspectionRecord.objects.create(
            inspected_on=timezone.localdate(),
            team=original.team,
            inspector=actor,
            collector=original.collector,
            kind=original.kind,
            grid_code=original.grid_code,
            case=original.case,
            description=reason.strip(),
            deduction=-original.deduction,
            reverses=original,
            created_by=actor,
        )


def may_correct(user) -> bool:
    return user is not None and (user.is_superuser or user.role == Role.ADMIN)


def correct_inspection(actor, record: InspectionRecord, reason: str, **changes) -> InspectionRecord:
    """An administrator's correction in place: the values before and after and the reason are kept for good, and
    the act goes to the security audit log (it rewrites a record a collector is paid by)."""
    if not may_correct(actor):
        raise PermissionDenied(_("Only an administrator may correct an inspection record."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be corrected.")})
    if changes.get("deduction") is not None:
        changes["deduction"] = Decimal(changes["deduction"]).quantize(Decimal("0.01"))
    with transaction.atomic():
        record = InspectionRecord.objects.select_for_update().get(pk=record.pk)
        before = {name: getattr(record, name) for name in changes}
        after = {**{name: getattr(record, name) for name in CORRECTABLE}, **changes}
        _check_fields(
            collector=record.collector,
            kind=after["kind"],
            case=record.case,
            deduction=after["deduction"],
            grid_code=after["grid_code"],
            description=after["description"],
        )
        for name, value in changes.items():
            setattr(record, name, value)
        record._correcting = True
        record.save(update_fields=list(changes))
        data = {"before": audit.json_safe(before), "after": audit.json_safe(changes)}
        InspectionCorrection.objects.create(
            record=record, action="correct", actor=actor, role=role_of(actor), reason=reason.strip(), data=data
        )
        audit.record("inspection.correct", actor=actor, obj=record, reason=reason.strip(), **data)
    return record


# ---- Training ------------------------------------------------------------------------------------------------


def record_training(actor, *, held_on: date, topic: str, trainer: str, results: dict) -> Training:
    """One session and its attendees' results ({collector: passed})."""
    training, _created = record_training_once(
        actor, None, held_on=held_on, topic=topic, trainer=trainer, results=results
    )
    return training


def record_training_once(
    actor, client_uuid, *, held_on: date, topic: str, trainer: str, results: dict
) -> tuple[Training, bool]:
    """``record_training`` keyed by the submitting device's *client_uuid*, as ``record_inspection_once``."""
    _require(actor, TRAIN_PERMISSION)
    existing = _repeat(Training, actor, client_uuid)
    if existing is not None:
        return existing, False
    errors = {}
    if held_on is None or held_on > timezone.localdate():
        errors["held_on"] = _("The date of a training cannot be in the future.")
    if not (topic or "").strip():
        errors["topic"] = _("Give the topic.")
    if not (trainer or "").strip():
        errors["trainer"] = _("Name the trainer.")
    if not results:
        errors["attendees"] = _("List at least one attendee.")
    elif any(user.role != Role.COLLECTOR for user in results):
        errors["attendees"] = _("Only collectors attend these trainings.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            training = Training.objects.create(
                held_on=held_on, topic=topic.strip(), trainer=trainer.strip(), created_by=actor, client_uuid=client_uuid
            )
            TrainingAttendance.objects.bulk_create(
                TrainingAttendance(training=training, collector=user, passed=bool(passed))
                for user, passed in results.items()
            )
    except IntegrityError:
        existing = _repeat(Training, actor, client_uuid)
        if existing is None:
            raise
        return existing, False
    return training, True
