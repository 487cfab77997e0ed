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
change ends with, so stored scores always follow the stored inputs; declared figures are never overwritten by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.workflow import Outcome
from evaluation.models.selfeval import (
    Direction,
    FundsLine,
    FundsRow,
    Indicator,
    Project,
    ScoreMode,
    SelfEvaluation,
    SelfEvaluationEvent,
    SelfEvaluationStatus,
)
from evaluation.selfeval import scoring
from evaluation.selfeval.workflow import SELF_EVALUATIONS, SelfEvaluationForbidden

VIEW_PERMISSION = "evaluation.view_selfevaluation"
CHANGE_PERMISSION = "evaluation.change_selfevaluation"
BUDGET_EXECUTION_KEY = "budget_execution_rate"  # computed here from the funds block, not by evaluation.metrics
FUNDS_AMOUNTS = ("initial_budget", "adjusted_budget", "executed")
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


# ---- sources ----------------------------------------------------------------------------------------------------


def source(kind: str, actor=None, **extra: Any) -> dict:
    """A figure's provenance: kind (metric, manual, import, rule, computed), who and when, plus details."""
    entry = {"kind": kind, "at": timezone.now().isoformat(timespec="seconds")}
    if actor is not None:
        entry["by"] = actor.get_username()
    entry.update({k: (v.isoformat() if isinstance(v, date) else v) for k, v in extra.items() if v not in (None, "")})
    return entry


def metric_choices() -> list[tuple[str, str]]:
    """The system metrics an indicator may be bound to (those of evaluation.metrics, plus budget execution)."""
    from evaluation.metrics import SYSTEM_METRICS

    choices = [(key, str(m.label)) for key, m in SYSTEM_METRICS.items()]
    return [*choices, (BUDGET_EXECUTION_KEY, _("Budget execution rate"))]


def metric_definition(key: str) -> tuple[str, str]:
    """(label, formula) of a system metric an indicator is bound to, for the tooltip on the finance page."""
    from evaluation.metrics import SYSTEM_METRICS

    if key == BUDGET_EXECUTION_KEY:
        return str(_("Budget execution rate")), str(_("executed / full-year budget × 100% (funds block, total row)"))
    metric = SYSTEM_METRICS.get(key)
    return (str(metric.label), str(metric.formula)) if metric else (key, "")


def metric_unit(key: str) -> str:
    from evaluation.metrics import SYSTEM_METRICS

    if key == BUDGET_EXECUTION_KEY:
        return "%"
    metric = SYSTEM_METRICS.get(key)
    return str(metric.unit) if metric else ""


def year_period(year: int) -> tuple[date, date]:
    """The period a year's figures cover: 1 January to 31 December, or to today while the year runs."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    return start, min(end, timezone.localdate())


# ---- computation ------------------------------------------------------------------------------------------------


@dataclass
class Loaded:
    """A self-evaluation with its rows in the order the form prints them."""

    evaluation: SelfEvaluation
    funds: dict[str, FundsLine]
    indicators: list[Indicator]


def load(evaluation: SelfEvaluation) -> Loaded:
    funds = {line.row: line for line in evaluation.funds.all()}
    indicators = list(evaluation.indicators.order_by("position", "id"))
    return Loaded(evaluation, funds, indicators)


def compute(data: Loaded) -> None:
    """Recompute every derived figure in memory: the funds total row where only its parts were typed, execution
    rate and funds score, effective weights, rule scores, the budget-execution binding, total and grade."""
    ev = data.evaluation
    total_line = data.funds.get(FundsRow.TOTAL)
    parts = [data.funds[r] for r in (FundsRow.FISCAL, FundsRow.CARRIED, FundsRow.OTHER) if r in data.funds]
    if total_line is not None:
        for field in FUNDS_AMOUNTS:
            values = [getattr(p, field) for p in parts if getattr(p, field) is not None]
            if getattr(total_line, field) is None and values:
                setattr(total_line, field, sum(values, Decimal(0)))
                total_line.sources[field] = source("computed", rule="sum of the rows below")
    rate = scoring.funds_rate(total_line.executed, total_line.adjusted_budget) if total_line else None
    ev.funds_rate = scoring.q2(rate)
    ev.funds_score = scoring.funds_score(rate, ev.funds_weight, ev.funds_full_rate)
    ev.sources["funds_score"] = source(
        "rule", rule="min(rate / full_rate, 1) × weight", full_rate=str(ev.funds_full_rate)
    )

    weights = scoring.effective_weights([(i.weight or Decimal(0), i.inapplicable) for i in data.indicators])
    for indicator, weight in zip(data.indicators, weights, strict=True):
        indicator.effective_weight = weight
        if indicator.metric_key == BUDGET_EXECUTION_KEY and not indicator.inapplicable:
            indicator.actual_value = ev.funds_rate
            indicator.sources["actual"] = source("computed", metric=BUDGET_EXECUTION_KEY)
        if indicator.inapplicable:
            indicator.score = None
            indicator.sources["score"] = source("inapplicable")
        elif indicator.score_mode == ScoreMode.MANUAL:
            indicator.score = indicator.manual_score
            indicator.sources["score"] = source("manual", reason=indicator.manual_reason)
        else:
            indicator.score = scoring.rule_score(
                indicator.direction, indicator.target_value, indicator.actual_value, weight
            )
            indicator.sources["score"] = source("rule", rule=indicator.direction)
        if indicator.declared_score is not None and indicator.declared_score == indicator.score:
            indicator.declared_score = None
        rate_now = scoring.q2(indicator.score_rate)
        if indicator.declared_rate is not None and indicator.declared_rate == rate_now:
            indicator.declared_rate = None
    ev.total = scoring.total_of([ev.funds_score, *(i.score for i in data.indicators)])
    ev.grade = scoring.grade_for(ev.total)
    ev.sources["total"] = source("computed", rule="funds score + indicator scores")
    if ev.declared_total is not None and ev.declared_total == ev.total:
        ev.declared_total = None
    if ev.declared_grade and ev.declared_grade == ev.grade:
        ev.declared_grade = ""
    if ev.funds_declared_rate is not None and ev.funds_declared_rate == ev.funds_rate:
        ev.funds_declared_rate = None
    if ev.funds_declared_score is not None and ev.funds_declared_score == ev.funds_score:
        ev.funds_declared_score = None
    ev.computed_at = timezone.now()


def save_loaded(data: Loaded) -> None:
    data.evaluation.save()
    for line in data.funds.values():
        line.save()
    for indicator in data.indicators:
        indicator.save()


def recompute(evaluation: SelfEvaluation) -> Loaded:
    data = load(evaluation)
    compute(data)
    save_loaded(data)
    return data


# ---- validation shared by the page and the importer ---------------------------------------------------------------


def indicator_errors(values: dict) -> dict[str, str]:
    """Field → message for an indicator row that cannot be scored as entered (empty when it is fine)."""
    errors: dict[str, str] = {}
    for field in ("level1", "level2", "name"):
        if not (values.get(field) or "").strip():
            errors[field] = _("This field is required.")
    weight = values.get("weight")
    if weight is None:
        errors["weight"] = _("This field is required.")
    elif weight < 0 or weight > 100:
        errors["weight"] = _("A weight lies between 0 and 100.")
    key = values.get("metric_key") or ""
    if key and key not in dict(metric_choices()):
        errors["metric_key"] = _("Unknown system metric %(key)s.") % {"key": key}
    manual = values.get("score_mode") == ScoreMode.MANUAL
    if manual and not values.get("inapplicable"):
        if values.get("manual_score") is None:
            errors["manual_score"] = _("A manual score needs the score.")
        elif values["manual_score"] < 0:
            errors["manual_score"] = _("A score cannot be negative.")
        if not (values.get("manual_reason") or "").strip():
            errors["manual_reason"] = _("A manual score needs a written reason.")
    if values.get("direction") == Direction.QUALITATIVE and not manual and not values.get("inapplicable"):
        errors["score_mode"] = _("A qualitative indicator is scored manually, with a reason.")
    return errors


def funds_errors(values: dict) -> dict[str, str]:
    errors = {}
    for field in FUNDS_AMOUNTS:
        value = values.get(field)
        if value is not None and value < 0:
            errors[field] = _("An amount cannot be negative.")
    return errors


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
