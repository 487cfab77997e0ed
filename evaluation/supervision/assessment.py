"""The company's monthly assessment (采集公司月度考核): made from the item template, filled from the platform and by
hand, scored, compared with the month before, and confirmed through ``workflow.ASSESSMENTS``.

Scoring of a line (the rule is on ``AssessmentItem``): a platform item scores its weight at or beyond the target,
``weight × value / target`` below it (lower is better: ``weight × (100 − value) / (100 − target)`` above it, never
below 0); a manual item's value is its score, 0 to the weight. A line without a value scores nothing: the assessor
fills it by hand, with a reason. The assessment's score is the sum of its lines' scores.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.workflow import Outcome, role_of
from evaluation.supervision.figures import month_bounds, platform_values
from evaluation.supervision.models import (
    Assessment,
    AssessmentEvent,
    AssessmentItem,
    AssessmentLine,
    AssessmentStatus,
    ItemSource,
)
from evaluation.supervision.workflow import ASSESS_PERMISSION, ASSESSMENTS

TWO = Decimal("0.01")
HUNDRED = Decimal(100)


def _q(value: Decimal) -> Decimal:
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def line_score(line: AssessmentLine) -> Decimal | None:
    value = line.value
    if value is None:
        return None
    if line.source == ItemSource.MANUAL or line.target is None:
        return _q(min(max(value, Decimal(0)), line.weight))
    target = line.target
    if line.lower_is_better:
        if value <= target:
            return _q(line.weight)
        room = HUNDRED - target
        return _q(max(line.weight * (HUNDRED - value) / room, Decimal(0))) if room > 0 else Decimal("0.00")
    if value >= target:
        return _q(line.weight)
    return _q(line.weight * max(value, Decimal(0)) / target) if target > 0 else _q(line.weight)


def total_score(lines) -> Decimal:
    return _q(sum((line.score or Decimal(0) for line in lines), Decimal(0)))


def _rescore(assessment: Assessment) -> None:
    lines = list(assessment.lines.all())
    for line in lines:
        line.score = line_score(line)
    AssessmentLine.objects.bulk_update(lines, ["score"])
    assessment.score = total_score(lines)


def _apply_platform(assessment: Assessment, values: dict) -> dict:
    """Set each platform line's platform value; a line not filled by hand takes it as its value."""
    changed = {}
    for line in assessment.lines.exclude(source=ItemSource.MANUAL):
        new = values.get(line.source)
        hand = bool(line.reason) and line.value != line.platform_value
        line.platform_value = new
        if not hand:
            line.value = new
        line.save(update_fields=["platform_value", "value"])
        changed[line.item.code] = None if new is None else str(new)
    return changed


def create_assessment(actor, month: date, company: str) -> Assessment:
    """The draft of *month* with one line per active item, filled from the platform (first event ``create``)."""
    if actor is None or not actor.has_perm(ASSESS_PERMISSION):
        raise PermissionDenied(_("Your role may not assess the collection company."))
    if not (company or "").strip():
        raise ValidationError({"company": _("Name the collection company.")})
    first = month.replace(day=1)
    if first > timezone.localdate().replace(day=1):
        raise ValidationError({"month": _("A month still to come cannot be assessed.")})
    items = list(AssessmentItem.objects.filter(is_active=True))
    if not items:
        raise ValidationError({"month": _("The assessment has no active items (see the admin).")})
    values = platform_values(first)
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(month=first, company=company.strip())
            AssessmentLine.objects.bulk_create(
                AssessmentLine(
                    assessment=assessment,
                    item=item,
                    name=item.name,
                    source=item.source,
                    weight=item.weight,
                    target=item.target,
                    lower_is_better=item.lower_is_better,
                    order=item.order,
                )
                for item in items
            )
            data = _apply_platform(assessment, values)
            _rescore(assessment)
            assessment.save(update_fields=["score"])
            AssessmentEvent.objects.create(
                assessment=assessment,
                action="create",
                actor=actor,
                role=role_of(actor),
                to_status=assessment.status,
                data={"platform": data, "score": str(assessment.score)},
            )
    except IntegrityError:
        raise ValidationError({"month": _("This month has been assessed already.")}) from None
    return assessment


def recompute(pk: int, actor) -> Assessment:
    """Fetch the platform's figures again (hand-filled values with a reason stay)."""

    def handler(assessment, now):
        data = _apply_platform(assessment, platform_values(assessment.month))
        _rescore(assessment)
        return Outcome(data={"platform": data, "score": str(assessment.score)})

    return ASSESSMENTS.run(pk, "recompute", actor, handler)


def fill(pk: int, actor, line_id: int, value: Decimal | None, reason: str) -> Assessment:
    """Set a line's value by hand, with a reason. A manual line's value is its score (0 to the weight); a
    platform line's value is a rate 0–100 that replaces the platform's. An empty value on a platform line goes
    back to the platform's figure."""
    reason = (reason or "").strip()

    def handler(assessment, now):
        line = assessment.lines.filter(pk=line_id).first()
        if line is None:
            raise ValidationError({"line": _("No such line in this assessment.")})
        if value is None and line.source != ItemSource.MANUAL:
            line.value, line.reason = line.platform_value, ""
        else:
            if value is None:
                raise ValidationError({"value": _("Enter a value.")})
            upper = line.weight if line.source == ItemSource.MANUAL else HUNDRED
            if value < 0 or value > upper:
                raise ValidationError({"value": _("The value must be between 0 and %(max)s.") % {"max": upper}})
            if not reason:
                raise ValidationError({"reason": _("Give the reason for a value entered by hand.")})
            line.value, line.reason = value, reason
        before = line.score
        line.save(update_fields=["value", "reason"])
        _rescore(assessment)
        return Outcome(
            data={
                "item": line.item.code,
                "value": None if line.value is None else str(line.value),
                "reason": line.reason,
                "score_before": None if before is None else str(before),
                "score": str(assessment.score),
            }
        )

    return ASSESSMENTS.run(pk, "fill", actor, handler)


def confirm(pk: int, actor) -> Assessment:
    def handler(assessment, now):
        _rescore(assessment)
        assessment.confirmed_at = now
        lines = {line.item.code: str(line.score) for line in assessment.lines.select_related("item")}
        return Outcome(to_status=AssessmentStatus.CONFIRMED, data={"score": str(assessment.score), "lines": lines})

    return ASSESSMENTS.run(pk, "confirm", actor, handler)


def previous(assessment: Assessment) -> Assessment | None:
    start, _end = month_bounds(assessment.month)
    before = (start - timedelta(days=1)).replace(day=1)
    return Assessment.objects.filter(month=before).first()


def comparison(assessment: Assessment) -> dict:
    """Month on month: each line's value and score against the previous month's line of the same item, and the
    totals (None where the previous month has nothing)."""
    prior = previous(assessment)
    before = {line.item_id: line for line in prior.lines.all()} if prior else {}
    rows = []
    for line in assessment.lines.all():
        old = before.get(line.item_id)
        rows.append(
            {
                "line": line,
                "previous_value": old.value if old else None,
                "previous_score": old.score if old else None,
                "change": (line.score - old.score)
                if old and old.score is not None and line.score is not None
                else None,
            }
        )
    change = (
        assessment.score - prior.score if prior and prior.score is not None and assessment.score is not None else None
    )
    return {"previous": prior, "rows": rows, "change": change}
