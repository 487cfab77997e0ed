"""Leaders' inspections (领导巡查): the inspection, its problems (each raising a case) and their rectification."""

from __future__ import annotations

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.workflow import Outcome
from hotlines.channels import cases as channel_cases
from hotlines.channels.models import (
    Inspection,
    InspectionProblem,
    RectificationAction,
)
from hotlines.channels.services.checks import (
    as_forbidden,
    choice_field,
    coordinates_field,
    day_field,
    raise_errors,
    require,
    text_field,
)
from hotlines.channels.services.history import record_history
from hotlines.channels.workflow import (
    INSPECTIONS,
)
from hotlines.choices import InspectorLevel


def record_inspection(actor, *, inspector, level, date, route, note="", problems=()) -> tuple[Inspection, bool]:
    """Record an inspection (natural key: inspector, date, route) with the problems found on it, each raising a
    case; nothing is written unless the inspection and every problem are good (errors of problem *i* are named
    ``problems[i].field``)."""
    require(actor, "hotlines.add_inspection")
    if problems:
        require(actor, "hotlines.add_inspectionproblem")
    errors: dict = {}
    key = {
        "inspector": text_field(inspector, "inspector", errors, limit=50),
        "date": day_field(date, "date", errors),
        "route": text_field(route, "route", errors, limit=300),
    }
    fields = {
        "level": choice_field(level, "level", InspectorLevel, errors),
        "note": text_field(note, "note", errors, limit=4000, required=False),
    }
    if key["date"] and key["date"] > timezone.localdate():
        errors["date"] = _("Cannot be in the future.")
    for index, problem in enumerate(problems):
        for name, message in _problem_errors(problem).items():
            errors[f"problems[{index}].{name}"] = message
    raise_errors(errors)
    with transaction.atomic():
        inspection, created = Inspection.objects.get_or_create(**key, defaults=fields)
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if created:
            record_history(inspection, "recorded", actor)
        for index, problem in enumerate(problems):
            try:
                added, problem_created = _add_problem(actor, inspection, **problem)
                if problem_created:
                    record_history(inspection, "problem_added", actor, problem=added.pk, case=added.case_id)
            except ValidationError as exc:
                raise ValidationError(
                    {f"problems[{index}].{name}": messages for name, messages in exc.message_dict.items()}
                ) from exc
    return inspection, created


_PROBLEM_FIELDS = ("description", "class_code", "address", "lng", "lat")


def _problem_errors(problem: dict) -> dict:
    errors: dict = {}
    unknown = set(problem) - set(_PROBLEM_FIELDS)
    if unknown:
        errors["non_field_errors"] = _("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}
    text_field(problem.get("description"), "description", errors, limit=4000)
    text_field(problem.get("class_code"), "class_code", errors, limit=8)
    text_field(problem.get("address"), "address", errors, limit=200, required=False)
    coordinates_field(problem.get("lng"), problem.get("lat"), errors, required=True)
    return errors


def _add_problem(actor, inspection: Inspection, *, description, class_code, address="", lng=None, lat=None):
    description = str(description).strip()
    address = str(address or "").strip()
    point = Point(float(lng), float(lat), srid=4326)
    problem = (
        InspectionProblem.objects.select_for_update()
        .filter(inspection=inspection, description=description, address=address)
        .first()
    )
    created = problem is None
    if created:
        problem = InspectionProblem.objects.create(
            inspection=inspection, description=description, address=address, location=point
        )
    as_forbidden(channel_cases.problem_to_case, problem, actor, class_code=str(class_code).strip())
    return problem, created


def add_problem(actor, inspection_pk: int, **problem) -> tuple[InspectionProblem, bool]:
    """Add a problem found on an inspection and raise its case (source ``inspection``). The same description and
    address on the same inspection is the same problem."""
    added: list = []

    def handle(inspection: Inspection, now) -> Outcome:
        raise_errors(_problem_errors(problem))
        row, created = _add_problem(actor, inspection, **problem)
        added.extend([row, created])
        return Outcome(data={"problem": row.pk, "case": row.case_id}, record=created, save=False)

    INSPECTIONS.run(inspection_pk, "problem_added", actor, handle)
    return added[0], added[1]


def record_rectification(
    actor, inspection_pk: int, *, title, date, departments=(), result=""
) -> tuple[RectificationAction, bool]:
    """Record a joint rectification decided after an inspection (natural key: inspection, title, date)."""
    from core.models import Department

    recorded: list = []

    def handle(inspection: Inspection, now) -> Outcome:
        errors: dict = {}
        heading = text_field(title, "title", errors, limit=200)
        day = day_field(date, "date", errors)
        outcome_text = text_field(result, "result", errors, limit=4000, required=False)
        wanted = []
        for value in departments or ():
            try:
                wanted.append(int(getattr(value, "pk", value)))
            except (TypeError, ValueError):
                errors["departments"] = _("Must be department ids.")
        found = list(Department.objects.filter(pk__in=wanted, is_active=True))
        if "departments" not in errors and len(found) != len(set(wanted)):
            errors["departments"] = _("Unknown or inactive department.")
        raise_errors(errors)
        action, created = RectificationAction.objects.get_or_create(
            inspection=inspection, title=heading, date=day, defaults={"result": outcome_text}
        )
        if created:
            action.departments.set(found)
        recorded.extend([action, created])
        return Outcome(data={"rectification": action.pk}, record=created, save=False)

    INSPECTIONS.run(inspection_pk, "rectification_recorded", actor, handle)
    return recorded[0], recorded[1]
