"""Each consistency check fires on the contradiction it names and stays silent on a consistent form; the seeds'
contradictions (Bishan, Suizhou) are all flagged."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import translation

from evaluation.models import FundsLine, SelfEvaluation
from evaluation.models.selfeval import FundsRow, Grade, SelfEvaluationStatus
from evaluation.selfeval import services
from evaluation.selfeval.checks import run_checks
from tests.evaluation.selfeval_helpers import make_evaluation, manual

pytestmark = pytest.mark.django_db


def codes(evaluation: SelfEvaluation) -> set[str]:
    evaluation.refresh_from_db()
    return {f.code for f in run_checks(services.load(evaluation))}


def findings_of(evaluation: SelfEvaluation, code: str) -> list:
    evaluation.refresh_from_db()
    return [f for f in run_checks(services.load(evaluation)) if f.code == code]


def test_a_consistent_form_has_no_finding():
    assert codes(make_evaluation()) == set()


def test_score_above_weight():
    evaluation = make_evaluation()
    manual(evaluation.indicators.get(name="案件处置率"), "12", "额外加分")
    services.recompute(evaluation)
    found = findings_of(evaluation, "score_above_weight")
    assert len(found) == 1 and found[0].severity == "error"
    assert found[0].row["kind"] == "indicator" and found[0].row["label"] == "案件处置率"
    manual(evaluation.indicators.get(name="案件处置率"), "10", "满分")
    services.recompute(evaluation)
    assert "score_above_weight" not in codes(evaluation)


def test_score_rate_mismatch():
    evaluation = make_evaluation()
    indicator = manual(evaluation.indicators.get(name="案件处置率"), "10", "满分")
    indicator.declared_rate = D(80)  # Bishan's 按时处置率 row: 10 of 10 printed as 80 %
    indicator.save()
    found = findings_of(evaluation, "score_rate_mismatch")
    assert [f.row["id"] for f in found] == [indicator.pk]
    indicator.declared_rate = D("100")
    indicator.save()
    assert "score_rate_mismatch" not in codes(evaluation)
    indicator.declared_rate = D("100.3")  # a printed rate rounded to whole percent is still consistent
    indicator.save()
    assert "score_rate_mismatch" not in codes(evaluation)


def test_declared_score_that_the_rule_does_not_give():
    evaluation = make_evaluation()
    indicator = evaluation.indicators.get(name="按期处置率")  # 85.5 of 90 → 9.50
    indicator.declared_score = D(10)
    indicator.save()
    assert "score_not_rule" in codes(evaluation)
    indicator.declared_score = D("9.50")
    indicator.save()
    services.recompute(evaluation)  # an agreeing declared figure is dropped
    indicator.refresh_from_db()
    assert indicator.declared_score is None and "score_not_rule" not in codes(evaluation)


def test_weights_not_summing_to_100():
    evaluation = make_evaluation()
    indicator = evaluation.indicators.get(name="案件处置率")
    indicator.weight = D(15)
    indicator.save()
    found = findings_of(evaluation, "weights_not_100")
    assert found and found[0].data["total"] == "105.00"
    indicator.weight = D(10)
    indicator.save()
    evaluation.funds_weight = D(20)
    evaluation.save()
    assert "weights_not_100" in codes(evaluation)
    evaluation.funds_weight = D(10)
    evaluation.save()
    assert "weights_not_100" not in codes(evaluation)


def test_execution_above_budget():
    evaluation = make_evaluation(funds={FundsRow.TOTAL: ("100", "100", "101")})
    found = findings_of(evaluation, "execution_above_budget")
    assert [f.row["id"] for f in found] == [FundsRow.TOTAL]
    line = FundsLine.objects.get(evaluation=evaluation, row=FundsRow.TOTAL)
    line.executed = D(100)
    line.save()
    assert "execution_above_budget" not in codes(evaluation)


@pytest.mark.parametrize(
    ("amounts", "fires"),
    [
        (("264.659244", "189.930584", "1899305.84"), True),  # Bishan: yuan beside 万元
        (("210000", "210000", "203300"), True),  # everything typed in yuan: implausibly large for 万元
        (("21", "21", "20.33"), False),
        (("5000", "5000", "4800"), False),  # a large but plausible budget
    ],
)
def test_yuan_wan_mixup(amounts, fires):
    evaluation = make_evaluation(funds={FundsRow.TOTAL: amounts})
    assert ("unit_mixup" in codes(evaluation)) is fires


def test_yuan_budget_beside_wan_executed_is_one_finding_naming_its_rows():
    """80,000 元 typed as the budget of the total and fiscal rows, 3.5 万元 executed: the magnitudes of every amount are
    compared, and the amount is reported once, not once per row."""
    evaluation = make_evaluation(
        funds={FundsRow.TOTAL: ("80000", "80000", "3.5"), FundsRow.FISCAL: ("80000", "80000", "3.5")}
    )
    found = findings_of(evaluation, "unit_mixup")
    assert len(found) == 1 and D(found[0].data["amount"]) == 80000
    assert found[0].message.count("80000万元") == 1 and len(found[0].data["fields"]) == 4


def test_every_check_code_has_a_label():
    import re

    from evaluation.selfeval import checks

    documented = set(re.findall(r"``([a-z_0-9]+)`` \((?:error|warning)\)", checks.__doc__))
    assert documented and documented == set(checks.CHECK_LABELS)
    with translation.override("zh-hans"):
        assert all(re.search(r"[\u4e00-\u9fff]", checks.check_label(code)) for code in documented)


def test_funds_total_not_the_sum_of_its_rows():
    evaluation = make_evaluation(
        funds={
            FundsRow.TOTAL: ("100", "100", "95"),
            FundsRow.FISCAL: ("80", "80", "75"),
            FundsRow.OTHER: ("20", "20", "10"),
        }
    )
    found = findings_of(evaluation, "funds_total_not_sum")
    assert [f.data["field"] for f in found] == ["executed"]
    other = FundsLine.objects.get(evaluation=evaluation, row=FundsRow.OTHER)
    other.executed = D(20)
    other.save()
    assert "funds_total_not_sum" not in codes(evaluation)


def test_total_not_the_sum_declared_and_stored():
    evaluation = make_evaluation()  # 98.78
    evaluation.declared_total = D("93.74")
    evaluation.declared_grade = Grade.GOOD
    evaluation.save()
    assert {"total_not_sum", "grade_mismatch"} <= codes(evaluation)
    SelfEvaluation.objects.filter(pk=evaluation.pk).update(declared_total=None, declared_grade="", total=D(50))
    assert "total_not_sum" in codes(evaluation)  # a stored total that no longer follows its rows
    services.recompute(evaluation)
    assert codes(evaluation) == set()


def test_manual_without_reason_and_missing_score():
    evaluation = make_evaluation()
    indicator = manual(evaluation.indicators.get(name="案件处置率"), "9", "")  # e.g. written straight to the database
    other = evaluation.indicators.get(name="群众满意率")
    other.actual_value = None
    other.save()
    services.recompute(evaluation)
    found = {f.code: f for f in run_checks(services.load(evaluation))}
    assert found["manual_without_reason"].row["id"] == indicator.pk
    assert found["missing_score"].row["id"] == other.pk and found["missing_score"].severity == "warning"


def test_the_seed_reports_contradictions_are_all_flagged():
    from evaluation.selfeval.demo import BISHAN_UNIT, SUIZHOU_UNIT, seed_self_evaluations

    assert seed_self_evaluations(2025) == {"bishan": 1, "suizhou": 1, "demo_city": 1}
    assert seed_self_evaluations(2025) == {"bishan": 0, "suizhou": 0, "demo_city": 0}  # idempotent
    assert SelfEvaluation.objects.count() == 3

    bishan = SelfEvaluation.objects.get(project__unit_name=BISHAN_UNIT, year=2022)
    assert bishan.total == D("73.47") and bishan.grade == Grade.FAIR  # not the printed 93.74 / 优
    assert sum(i.weight for i in bishan.indicators.all()) + bishan.funds_weight == D(100)
    found = run_checks(services.load(bishan))
    mismatched = sorted(f.row["position"] for f in found if f.code == "score_rate_mismatch")
    assert mismatched == [2, 3, 4, 6, 9]  # 15→10 @100 %, 10→10 @80 %, 15→10 @100 %, 15→5 @100 %, 4.47 @47.74 %
    assert {"unit_mixup", "execution_above_budget", "total_not_sum", "grade_mismatch"} <= {f.code for f in found}
    assert "weights_not_100" not in {f.code for f in found}

    suizhou = SelfEvaluation.objects.get(project__unit_name=SUIZHOU_UNIT, year=2022)
    assert suizhou.funds_rate == D("96.81") and suizhou.funds_score == D("9.68")
    rows = {i.name: i for i in suizhou.indicators.all()}
    assert len(rows) == 8 and sum(i.weight for i in rows.values()) == D(90)
    assert rows["采集城市管理事件、部件数"].actual_value == 42199
    assert rows["采集城市管理事件、部件数"].score == D("14.07")  # the missed target, scored down (42,199 / 45,000)
    assert rows["案件处置率"].actual_value == D("97.2") and rows["案件结案率"].actual_value == D("97.43")
    assert rows["受理转办热线工单数"].actual_value == 583 and rows["群众满意率"].actual_value == D("97.47")
    assert rows["热线工单按时办结率"].actual_value == 100 and rows["发放考评通报期数"].actual_value == 8
    assert suizhou.total == D("98.75") and suizhou.declared_total == D(95)  # computed beside the declared
    suizhou_codes = {f.code for f in run_checks(services.load(suizhou))}
    assert {"funds_rate_mismatch", "total_not_sum"} <= suizhou_codes
    assert "weights_not_100" not in suizhou_codes and "missing_score" not in suizhou_codes


def test_check_service_sets_checked_only_without_errors(personas):
    evaluation = make_evaluation()
    _ev, findings = services.check_self_evaluation(evaluation.pk, personas["finance"])
    evaluation.refresh_from_db()
    assert findings == [] and evaluation.status == SelfEvaluationStatus.CHECKED
    evaluation.declared_total = D(1)
    evaluation.save()
    _ev, findings = services.check_self_evaluation(evaluation.pk, personas["finance"])
    evaluation.refresh_from_db()
    assert [f.code for f in findings] == ["total_not_sum"] and evaluation.status == SelfEvaluationStatus.DRAFT
    assert list(evaluation.events.values_list("action", flat=True)) == ["check", "check"]


def test_grade_mismatch_fires_only_on_a_grade_the_total_does_not_give():
    from evaluation.selfeval import scoring

    evaluation = make_evaluation()  # 98.78 → 优
    SelfEvaluation.objects.filter(pk=evaluation.pk).update(declared_grade=Grade.GOOD)
    assert "grade_mismatch" in codes(evaluation)
    SelfEvaluation.objects.filter(pk=evaluation.pk).update(declared_grade=scoring.grade_for(evaluation.total))
    assert "grade_mismatch" not in codes(evaluation)


def test_funds_rate_mismatch_fires_beyond_the_tolerance():
    evaluation = make_evaluation()  # 95 of 100 → 95.00 %
    SelfEvaluation.objects.filter(pk=evaluation.pk).update(funds_declared_rate=D(96))  # Suizhou's rounding
    found = findings_of(evaluation, "funds_rate_mismatch")
    assert len(found) == 1 and found[0].data == {"declared": "96.00", "computed": "95.00"}
    SelfEvaluation.objects.filter(pk=evaluation.pk).update(funds_declared_rate=D("95.01"))
    assert "funds_rate_mismatch" not in codes(evaluation)
