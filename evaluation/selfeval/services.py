"""State changes of a self-evaluation: one function per change, each checking the permission and the state,
locking the row, writing an immutable ``SelfEvaluationEvent`` and leaving the figures recomputed.

- ``create_self_evaluation``: a new year for a project (the indicator tree copied from the previous year, if any).
- ``save_self_evaluation``: header, texts, funds rows and indicator rows as typed on the finance page.
- ``refresh_from_platform``: bound actual values from ``evaluation.metrics.system_metric`` for the year, then rescore.
- ``check_self_evaluation``: run the consistency checks; ``checked`` when no error is left.
- ``adopt_platform_figures``: drop the declared figures that contradict the platform's.
- ``record_export``: the workbook was produced (status ``exported``).
- ``apply_import`` (called by ``evaluation.selfeval.importer``): replace everything with a good workbook's content.

``compute`` is the pure recomputation (effective weights, rule scores, funds rate and score, total, grade) that every
change ends with, so stored scores always follow the stored inputs; declared figures are never overwritten by it. It
lives in ``evaluation.selfeval.figures`` with the figures' sources and row checks, re-exported here (``__all__``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.workflow import Outcome
from evaluation.models.selfeval import (
    FundsLine,
    Indicator,
    Project,
    SelfEvaluation,
    SelfEvaluationEvent,
    SelfEvaluationStatus,
)
from evaluation.selfeval.figures import (
    BUDGET_EXECUTION_KEY,
    FUNDS_AMOUNTS,
    Loaded,
    compute,
    funds_errors,
    indicator_errors,
    load,
    metric_choices,
    metric_definition,
    metric_unit,
    recompute,
    save_loaded,
    source,
    year_period,
)
from evaluation.selfeval.workflow import SELF_EVALUATIONS, SelfEvaluationForbidden

VIEW_PERMISSION = "evaluation.view_selfevaluation"
CHANGE_PERMISSION = "evaluation.change_selfevaluation"
HEADER_FIELDS = ("unit_name", "project_leader", "contact_person", "contact_phone", "filled_on")
TEXT_FIELDS = ("goal_expected", "goal_achieved", "achievements", "problems", "measures", "previous_use")
SETTING_FIELDS = ("funds_weight", "funds_full_rate")
INDICATOR_FIELDS = (
    "level1",
    "level2",
    "name",
    "direction",
    "target_value",
    "target_text",
    "unit",
    "actual_value",
    "actual_text",
    "metric_key",
    "weight",
    "inapplicable",
    "score_mode",
    "manual_score",
    "manual_reason",
    "deviation",
)


# ---- permission, locking, events ----------------------------------------------------------------------------------


def _require(actor, permission: str) -> None:
    if not actor.has_perm(permission):
        raise SelfEvaluationForbidden(_("Your role may not change self-evaluations."))


def _event(evaluation: SelfEvaluation, action: str, actor, from_status: str, **data: Any) -> SelfEvaluationEvent:
    return SELF_EVALUATIONS.record_event(
        evaluation, action, actor, from_status, evaluation.status, at=timezone.now(), data=data
    )


def _ensure_funds_rows(evaluation: SelfEvaluation) -> None:
    for row in FundsLine.ORDER:
        FundsLine.objects.get_or_create(evaluation=evaluation, row=row)


# ---- the changes --------------------------------------------------------------------------------------------------


@transaction.atomic
def create_self_evaluation(actor, project: Project, year: int, **header: Any) -> SelfEvaluation:
    """A new year for ``project``; the indicator tree (names, targets, weights, bindings) is copied from the most
    recent earlier year, if there is one. Creating a year that exists answers the existing one (idempotent)."""
    _require(actor, CHANGE_PERMISSION)
    existing = SelfEvaluation.objects.filter(project=project, year=year).first()
    if existing:
        return existing
    header.setdefault("unit_name", project.unit_name)
    try:
        with transaction.atomic():  # a concurrent request creating the same year: answer the one that won
            evaluation = SelfEvaluation.objects.create(project=project, year=year, **header)
    except IntegrityError:
        return SelfEvaluation.objects.get(project=project, year=year)
    _ensure_funds_rows(evaluation)
    previous = SelfEvaluation.objects.filter(project=project, year__lt=year).order_by("-year").first()
    copied = 0
    if previous:
        evaluation.funds_weight, evaluation.funds_full_rate = previous.funds_weight, previous.funds_full_rate
        evaluation.save(update_fields=["funds_weight", "funds_full_rate"])
        keep = ("level1", "level2", "name", "direction", "target_value", "target_text", "unit", "metric_key", "weight")
        for position, old in enumerate(previous.indicators.order_by("position", "id")):
            Indicator.objects.create(
                evaluation=evaluation,
                position=position,
                **{f: getattr(old, f) for f in keep},
                sources={"target": source("copied", actor, year=previous.year)},
            )
            copied += 1
    recompute(evaluation)
    _event(evaluation, "create", actor, "", copied_from=previous.year if previous else None, indicators=copied)
    return evaluation


def save_self_evaluation(
    evaluation_id: int,
    actor,
    *,
    header: dict | None = None,
    funds: dict[str, dict] | None = None,
    indicators: list[dict] | None = None,
) -> SelfEvaluation:
    """Apply what the finance page submitted. ``indicators`` is the complete list in order: dicts with ``id`` for
    existing rows (``delete: True`` removes one) and without for new rows. Raises ValidationError naming the row
    and field; nothing is written then. Any change returns the evaluation to draft."""

    def handle(evaluation: SelfEvaluation, now) -> Outcome:
        changed = _save(evaluation, actor, header, funds, indicators)
        # No change, no event (and the status stays).
        return Outcome(data={"fields": changed[:50]}, record=bool(changed), save=False)

    return SELF_EVALUATIONS.run(evaluation_id, "edit", actor, handle)


def _save(evaluation: SelfEvaluation, actor, header, funds, indicators) -> list[str]:
    changed: list[str] = []
    for field, value in (header or {}).items():
        if field not in (*HEADER_FIELDS, *TEXT_FIELDS, *SETTING_FIELDS):
            raise ValidationError({field: _("Unknown field.")})
        if getattr(evaluation, field) != value:
            setattr(evaluation, field, value)
            evaluation.sources[field] = source("manual", actor)
            changed.append(field)
    _ensure_funds_rows(evaluation)
    data = load(evaluation)
    for row, values in (funds or {}).items():
        if row not in data.funds:
            raise ValidationError({f"funds-{row}": _("Unknown funds row.")})
        errors = funds_errors(values)
        if errors:
            raise ValidationError({f"funds-{row}-{k}": v for k, v in errors.items()})
        line = data.funds[row]
        for field in FUNDS_AMOUNTS:
            if field in values and getattr(line, field) != values[field]:
                setattr(line, field, values[field])
                line.sources[field] = source("manual", actor)
                changed.append(f"funds.{row}.{field}")
    if indicators is not None:
        data.indicators = _apply_indicator_rows(evaluation, data.indicators, indicators, actor, changed)
    if changed:
        evaluation.status = SelfEvaluationStatus.DRAFT
    compute(data)
    save_loaded(data)
    return changed


def _apply_indicator_rows(evaluation, current: list[Indicator], rows: list[dict], actor, changed: list[str]):
    by_id = {i.pk: i for i in current}
    kept: list[Indicator] = []
    for number, values in enumerate(rows, start=1):
        indicator = by_id.get(values.get("id")) if values.get("id") else None
        if values.get("id") and indicator is None:
            raise ValidationError({f"indicator-{number}": _("No such indicator in this self-evaluation.")})
        if values.get("delete"):
            if indicator is not None:
                indicator.delete()
                changed.append(f"indicator.{indicator.pk}.deleted")
            continue
        errors = indicator_errors(values)
        if errors:
            raise ValidationError({f"indicator-{number}-{k}": v for k, v in errors.items()})
        if indicator is None:
            indicator = Indicator(evaluation=evaluation)
            changed.append(f"indicator.new.{number}")
        for field in INDICATOR_FIELDS:
            if field not in values:
                continue
            value = values[field]
            if getattr(indicator, field) != value:
                setattr(indicator, field, value)
                if indicator.pk:
                    changed.append(f"indicator.{indicator.pk}.{field}")
                if field in ("actual_value", "actual_text"):
                    indicator.sources["actual"] = source("manual", actor)
                elif field in ("target_value", "target_text", "direction"):
                    indicator.sources["target"] = source("manual", actor)
                elif field == "weight":
                    indicator.sources["weight"] = source("manual", actor)
        indicator.position = len(kept)
        indicator.save()
        kept.append(indicator)
    return kept


def fill_from_platform(data: Loaded, actor=None) -> dict:
    """Set every bound actual value of ``data`` from ``evaluation.metrics.system_metric`` over the year (in memory;
    ``compute`` then rescores). Answers {indicator name: value as text or None}."""
    from evaluation.metrics import system_metric

    start, end = year_period(data.evaluation.year)
    filled = {}
    for indicator in data.indicators:
        key = indicator.metric_key
        if not key or key == BUDGET_EXECUTION_KEY or indicator.inapplicable:
            continue
        value = system_metric(key, start, end)
        indicator.actual_value = None if value is None else Decimal(value)
        indicator.sources["actual"] = source("metric", actor, metric=key, start=start, end=end, empty=value is None)
        filled[indicator.name] = None if value is None else str(value)
    return filled


def refresh_from_platform(evaluation_id: int, actor) -> SelfEvaluation:
    """Fill every bound actual value from the platform's own figures for the year, then rescore, in this process
    (the finance page queues the same through ``evaluation.selfeval.refresh`` instead); the event holds the diff."""
    from evaluation.selfeval.refresh import apply_platform_figures

    return apply_platform_figures(evaluation_id, actor)


def check_self_evaluation(evaluation_id: int, actor):
    """Run the consistency checks; the evaluation is ``checked`` when no error-level finding is left."""
    from evaluation.selfeval.checks import Severity, run_checks

    findings: list = []

    def handle(evaluation: SelfEvaluation, now) -> Outcome:
        data = recompute(evaluation)
        findings.extend(run_checks(data))
        errors = [f for f in findings if f.severity == Severity.ERROR]
        evaluation.status = SelfEvaluationStatus.DRAFT if errors else SelfEvaluationStatus.CHECKED
        evaluation.save(update_fields=["status", "updated_at"])
        return Outcome(data={"findings": [f.code for f in findings]}, save=False)

    return SELF_EVALUATIONS.run(evaluation_id, "check", actor, handle), findings


def adopt_platform_figures(evaluation_id: int, actor) -> SelfEvaluation:
    """Drop every declared figure (typed from a report or imported) so the platform's computed ones stand alone."""

    def handle(evaluation: SelfEvaluation, now) -> Outcome:
        dropped = {
            "total": str(evaluation.declared_total) if evaluation.declared_total is not None else None,
            "grade": evaluation.declared_grade or None,
        }
        evaluation.declared_total, evaluation.declared_grade = None, ""
        evaluation.funds_declared_rate = evaluation.funds_declared_score = None
        evaluation.status = SelfEvaluationStatus.DRAFT
        evaluation.save()
        Indicator.objects.filter(evaluation=evaluation).update(declared_score=None, declared_rate=None)
        recompute(evaluation)
        return Outcome(data={"dropped": dropped}, save=False)

    return SELF_EVALUATIONS.run(evaluation_id, "adopt", actor, handle)


def record_export(evaluation_id: int, actor) -> SelfEvaluation:
    """The finance page produced the workbook: checks are run and kept with the event; status ``exported``."""
    from evaluation.selfeval.checks import run_checks

    def handle(evaluation: SelfEvaluation, now) -> Outcome:
        data = recompute(evaluation)
        findings = run_checks(data)
        evaluation.status = SelfEvaluationStatus.EXPORTED
        evaluation.save(update_fields=["status", "updated_at"])
        return Outcome(data={"findings": [f.code for f in findings]}, save=False)

    return SELF_EVALUATIONS.run(evaluation_id, "export", actor, handle)


def apply_import(evaluation_id: int, actor, parsed, filename: str = "") -> SelfEvaluation:
    """Replace the evaluation's header, funds, indicators and texts with a parsed workbook (already validated as a
    whole by the importer); declared figures that differ from the platform's are kept for the checks."""

    def handle(evaluation: SelfEvaluation, now) -> Outcome:
        origin = {"file": filename} if filename else {}
        for field, value in parsed.header.items():
            setattr(evaluation, field, value)
            evaluation.sources[field] = source("import", actor, **origin)
        for field in ("declared_total", "declared_grade", "funds_declared_rate", "funds_declared_score"):
            setattr(evaluation, field, getattr(parsed, field))
        evaluation.status = SelfEvaluationStatus.DRAFT
        evaluation.save()
        _ensure_funds_rows(evaluation)
        data = load(evaluation)
        for row, values in parsed.funds.items():
            line = data.funds[row]
            for field in FUNDS_AMOUNTS:
                setattr(line, field, values.get(field))
                line.sources[field] = source("import", actor, row=values.get("_row"), **origin)
        evaluation.indicators.all().delete()
        data.indicators = []
        for position, values in enumerate(parsed.indicators):
            row_number = values.pop("_row", None)
            indicator = Indicator(evaluation=evaluation, position=position, **values)
            indicator.sources = {
                figure: source("import", actor, row=row_number, **origin) for figure in ("target", "actual", "weight")
            }
            if indicator.metric_key:
                indicator.sources["actual"]["metric"] = indicator.metric_key
            indicator.save()
            data.indicators.append(indicator)
        compute(data)
        save_loaded(data)
        return Outcome(data={"file": filename, "indicators": len(data.indicators)}, save=False)

    return SELF_EVALUATIONS.run(evaluation_id, "import", actor, handle)


__all__ = [
    "BUDGET_EXECUTION_KEY",
    "CHANGE_PERMISSION",
    "FUNDS_AMOUNTS",
    "HEADER_FIELDS",
    "INDICATOR_FIELDS",
    "SETTING_FIELDS",
    "TEXT_FIELDS",
    "VIEW_PERMISSION",
    "Loaded",
    "adopt_platform_figures",
    "apply_import",
    "check_self_evaluation",
    "compute",
    "create_self_evaluation",
    "fill_from_platform",
    "funds_errors",
    "indicator_errors",
    "load",
    "metric_choices",
    "metric_definition",
    "metric_unit",
    "recompute",
    "record_export",
    "refresh_from_platform",
    "save_loaded",
    "save_self_evaluation",
    "source",
    "year_period",
]
