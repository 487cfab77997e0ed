"""Scoring rules of the self-evaluation (docs/domain.md §7): ≥, ≤, =, manual scores with and without a reason,
inapplicable rows dropped with the rest rescaled, the funds rule, total and grade."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from evaluation.models import Indicator
from evaluation.models.selfeval import Direction, Grade, ScoreMode
from evaluation.selfeval import scoring, services
from tests.evaluation.selfeval_helpers import make_evaluation, manual


@pytest.mark.parametrize(
    ("direction", "target", "actual", "expected"),
    [
        (Direction.AT_LEAST, "95", "97.2", "10.00"),  # met: full marks, never above the weight
        (Direction.AT_LEAST, "90", "85.5", "9.50"),  # 85.5 / 90
        (Direction.AT_LEAST, "1000", "0", "0.00"),
        (Direction.AT_MOST, "1", "0.5", "10.00"),  # below the ceiling
        (Direction.AT_MOST, "1", "4", "2.50"),  # 1 / 4
        (Direction.AT_MOST, "1", "0", "10.00"),
        (Direction.AT_MOST, "0", "2", "0.00"),
        (Direction.EQUAL, "100", "100", "10.00"),
        (Direction.EQUAL, "100", "90", "9.00"),  # 10 % off target keeps 90 %
        (Direction.EQUAL, "100", "110", "9.00"),
        (Direction.EQUAL, "100", "250", "0.00"),
        (Direction.EQUAL, "0", "0", "10.00"),
        (Direction.EQUAL, "0", "1", "0.00"),
    ],
)
def test_rule_scores(direction, target, actual, expected):
    assert scoring.rule_score(direction, D(target), D(actual), D(10)) == D(expected)


def test_qualitative_or_missing_figures_have_no_rule_score():
    assert scoring.rule_score(Direction.QUALITATIVE, D(1), D(1), D(10)) is None
    assert scoring.rule_score(Direction.AT_LEAST, D(90), None, D(10)) is None
    assert scoring.rule_score(Direction.AT_LEAST, None, D(90), D(10)) is None


def test_funds_rule_and_grades():
    assert scoring.funds_score(scoring.funds_rate(D("20.33"), D(21)), D(10)) == D("9.68")  # Suizhou: 96.81 %
    assert scoring.funds_score(D(120), D(10)) == D("10.00")  # over-execution is capped (and flagged by the checks)
    assert scoring.funds_score(D(96), D(10), full_rate=D(95)) == D("10.00")  # "执行率不低于95%"
    assert scoring.funds_score(D("47.5"), D(10), full_rate=D(95)) == D("5.00")
    assert [scoring.grade_for(D(v)) for v in ("90", "89.99", "80", "79.99", "60", "59.99")] == [
        Grade.EXCELLENT,
        Grade.GOOD,
        Grade.GOOD,
        Grade.FAIR,
        Grade.FAIR,
        Grade.POOR,
    ]


def test_effective_weights_rescale_the_applicable_rows():
    assert scoring.effective_weights([(D(30), False), (D(30), True), (D(30), False)]) == [D(45), None, D(45)]
    assert scoring.effective_weights([(D(10), False), (D(20), False)]) == [D(10), D(20)]


@pytest.mark.django_db
def test_evaluation_total_is_funds_plus_indicator_scores():
    evaluation = make_evaluation()
    scores = list(evaluation.indicators.order_by("position").values_list("score", flat=True))
    assert scores == [D(10), D(10), D(10), D("9.50"), D(10), D(10), D(10), D(10), D("9.78")]
    assert evaluation.funds_rate == D("95.00") and evaluation.funds_score == D("9.50")
    assert evaluation.total == D("98.78") and evaluation.grade == Grade.EXCELLENT
    first = evaluation.indicators.order_by("position").first()
    assert first.sources["score"]["kind"] == "rule"


@pytest.mark.django_db
def test_manual_score_replaces_the_rule_and_is_marked(personas):
    evaluation = make_evaluation()
    indicator = evaluation.indicators.get(name="案件处置率")  # the rule gives 10
    manual(indicator, "8", "群众投诉处置不及时，扣2分")
    services.recompute(evaluation)
    indicator.refresh_from_db()
    evaluation.refresh_from_db()
    assert indicator.score == D(8)
    assert indicator.sources["score"]["kind"] == "manual"
    assert indicator.sources["score"]["reason"] == "群众投诉处置不及时，扣2分"
    assert evaluation.total == D("96.78")


@pytest.mark.django_db
def test_manual_score_without_reason_is_refused(personas):
    evaluation = make_evaluation()
    indicator = evaluation.indicators.get(name="案件处置率")
    row = {f: getattr(indicator, f) for f in services.INDICATOR_FIELDS}
    row.update(id=indicator.pk, score_mode=ScoreMode.MANUAL, manual_score=D(8), manual_reason="  ")
    with pytest.raises(ValidationError) as info:
        services.save_self_evaluation(evaluation.pk, personas["finance"], indicators=[row])
    assert "indicator-1-manual_reason" in info.value.message_dict
    indicator.refresh_from_db()
    assert indicator.score_mode == ScoreMode.RULE and indicator.score == D(10)  # nothing written

    row["manual_reason"] = "群众投诉处置不及时"
    services.save_self_evaluation(evaluation.pk, personas["finance"], indicators=[row])
    indicator.refresh_from_db()
    assert indicator.score == D(8) and indicator.score_mode == ScoreMode.MANUAL


@pytest.mark.django_db
def test_inapplicable_indicator_is_dropped_and_the_rest_rescaled():
    evaluation = make_evaluation()
    dropped = evaluation.indicators.get(name="预决算公开")
    dropped.inapplicable = True
    dropped.save()
    services.recompute(evaluation)
    evaluation.refresh_from_db()
    rows = {i.name: i for i in Indicator.objects.filter(evaluation=evaluation)}
    assert rows["预决算公开"].score is None and rows["预决算公开"].effective_weight is None
    assert rows["案件处置率"].effective_weight == D("11.25")  # 10 × 90 / 80
    assert rows["案件处置率"].score == D("11.25")
    assert rows["按期处置率"].score == D("10.69")  # 85.5 / 90 × 11.25
    applicable = [i.effective_weight for i in rows.values() if not i.inapplicable]
    assert sum(applicable) == D(90)


@pytest.mark.django_db
def test_services_need_the_change_permission(personas):
    from django.core.exceptions import PermissionDenied

    evaluation = make_evaluation()
    for role in ("supervisor", "collector"):
        with pytest.raises(PermissionDenied):
            services.refresh_from_platform(evaluation.pk, personas[role])
        with pytest.raises(PermissionDenied):
            services.save_self_evaluation(evaluation.pk, personas[role], header={"contact_person": "王五"})
    evaluation.refresh_from_db()
    assert evaluation.contact_person == "李华" and not evaluation.events.exists()
