"""The finance-layout workbook: layout (merged 一级/二级 cells, numbers with number formats, A4 fitted to width),
export → import round trip with the same values, and imports with bad rows (row-numbered errors, nothing written)."""

from __future__ import annotations

from decimal import Decimal as D
from io import BytesIO

import pytest
from openpyxl import load_workbook

from evaluation.models import Indicator, SelfEvaluation
from evaluation.models.selfeval import Direction
from evaluation.selfeval import importer, services, workbook
from evaluation.selfeval import layout as L
from tests.evaluation.selfeval_helpers import make_evaluation, manual

pytestmark = pytest.mark.django_db

TREE_FIELDS = [
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
    "effective_weight",
    "inapplicable",
    "score_mode",
    "manual_score",
    "manual_reason",
    "score",
    "declared_score",
    "declared_rate",
    "deviation",
]
EVALUATION_FIELDS = [
    *services.HEADER_FIELDS,
    *services.TEXT_FIELDS,
    *services.SETTING_FIELDS,
    "funds_rate",
    "funds_score",
    "funds_declared_rate",
    "funds_declared_score",
    "total",
    "grade",
    "declared_total",
    "declared_grade",
]


def snapshot(evaluation: SelfEvaluation) -> dict:
    evaluation.refresh_from_db()
    return {
        "evaluation": {f: getattr(evaluation, f) for f in EVALUATION_FIELDS},
        "funds": {
            line.row: (line.initial_budget, line.adjusted_budget, line.executed) for line in evaluation.funds.all()
        },
        "indicators": [
            {f: getattr(i, f) for f in TREE_FIELDS} for i in evaluation.indicators.order_by("position", "id")
        ],
    }


def export(evaluation: SelfEvaluation) -> bytes:
    return workbook.workbook_bytes(services.load(evaluation))


def sheet(content: bytes):
    return load_workbook(BytesIO(content))[L.SHEET_TITLE]


def row_of(ws, label: str, column: int = 1) -> int:
    for row in ws.iter_rows():
        if row[column - 1].value == label:
            return row[0].row
    raise AssertionError(label)


@pytest.fixture
def rich_evaluation():
    """Every kind of row: rule-scored, manual with reason, inapplicable, qualitative, bound and typed, texts."""
    evaluation = make_evaluation()
    evaluation.filled_on = __import__("datetime").date(2025, 3, 15)
    evaluation.funds_full_rate = D(95)
    evaluation.save()
    manual(evaluation.indicators.get(name="案件处置率"), "8.5", "群众投诉处置不及时，扣1.5分")
    dropped = evaluation.indicators.get(name="预决算公开")
    dropped.inapplicable = True
    dropped.save()
    qualitative = evaluation.indicators.get(name="热线回复率")
    qualitative.direction, qualitative.target_value, qualitative.target_text = Direction.QUALITATIVE, None, "及时回复"
    qualitative.actual_value, qualitative.actual_text, qualitative.metric_key = None, "已全部回复", ""
    qualitative.save()
    manual(qualitative, "9", "个别回复不规范")
    satisfaction = evaluation.indicators.get(name="群众满意率")
    satisfaction.deviation = "回访满意度偏低：加强沟通解释。"
    satisfaction.save()
    services.recompute(evaluation)
    return evaluation


def test_layout_merged_cells_number_formats_and_print_setup(rich_evaluation):
    ws = sheet(export(rich_evaluation))
    assert ws["A1"].value == "2024年度数字城管运行项目绩效自评表"
    assert "A1:N1" in {str(r) for r in ws.merged_cells.ranges}

    # Funds block: amounts and rates are numbers with formats, not strings.
    total_row = row_of(ws, L.FUNDS_ROW_LABELS["total"])
    budget, executed, rate, score = (ws.cell(total_row, c) for c in (4, 5, 7, 8))
    assert budget.value == 100 and budget.number_format == L.AMOUNT_FORMAT
    assert executed.value == 95 and executed.data_type == "n"
    assert rate.value == pytest.approx(0.95) and rate.number_format == L.RATE_FORMAT
    assert score.value == 10 and score.number_format == L.SCORE_FORMAT  # 95 % with full marks at 95 %

    # Indicator table: 一级 merged over its run, 二级 over (一级, 二级) runs.
    header = row_of(ws, "一级指标")
    merged = {str(r) for r in ws.merged_cells.ranges}
    first = header + 1
    assert f"A{first}:A{first + 4}" in merged  # 产出指标 × 5
    assert f"B{first + 1}:B{first + 2}" in merged  # 质量指标 × 2
    assert f"A{first + 5}:A{first + 7}" in merged  # 效益指标 × 3
    assert f"A{first + 8}" not in "".join(merged)  # 满意度指标: one row, not merged
    assert ws.cell(first, 3).value == "每月案件处理总量"
    assert ws.cell(first, 5).value == 1000 and ws.cell(first, 5).number_format == L.FIGURE_FORMAT
    assert ws.cell(first, 8).value == 10  # the weight as set; the score is out of the rescaled 11.25
    assert ws.cell(first, 9).value == 11.25 and ws.cell(first, 9).number_format == L.SCORE_FORMAT
    assert ws.cell(first, 10).number_format == L.RATE_FORMAT
    assert ws.cell(first, 14).value.startswith("系统指标 [cases_per_month]")
    assert ws.cell(first + 1, 11).value == L.MODE_MANUAL and ws.cell(first + 1, 12).value.startswith("群众投诉")

    total = row_of(ws, L.TOTAL_LABEL)
    assert "90/80" in ws.cell(total, 10).value  # the rescaling is explained under the table
    assert ws.cell(total, 9).value == pytest.approx(float(rich_evaluation.total))
    assert ws.cell(row_of(ws, L.GRADE_LABEL), 8).value == "优"
    assert any(L.SIGNATURE_LINE == (c.value or "") for row in ws.iter_rows() for c in row)

    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 == "9"
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0


def test_round_trip_gives_the_same_values(rich_evaluation, personas):
    before = snapshot(rich_evaluation)
    content = export(rich_evaluation)
    importer.import_workbook(rich_evaluation.pk, personas["finance"], content, "filled.xlsx")
    after = snapshot(rich_evaluation)
    assert after == before
    assert rich_evaluation.events.filter(action="import").count() == 1
    first = rich_evaluation.indicators.order_by("position").first()
    assert first.sources["actual"]["kind"] == "import" and first.sources["actual"]["metric"] == "cases_per_month"
    # …and the re-exported workbook is the same again, cell for cell, except that typed figures now say 导入.
    again, original = sheet(export(rich_evaluation)), sheet(content)
    values = [[c.value for c in r] for r in again.iter_rows()]
    assert values != [[c.value for c in r] for r in original.iter_rows()]
    for row in original.iter_rows():
        for cell in row:
            expected = L.SOURCE_LABELS["import"] if cell.value == L.SOURCE_LABELS["manual"] else cell.value
            assert values[cell.row - 1][cell.column - 1] == expected, cell.coordinate


def test_import_keeps_declared_figures_that_contradict(rich_evaluation, personas):
    content = export(rich_evaluation)
    wb = load_workbook(BytesIO(content))
    ws = wb[L.SHEET_TITLE]
    first = row_of(ws, "一级指标") + 1
    ws.cell(first + 3, 9).value = 11.25  # 按期处置率: the rule gives 85.5 / 90 × 11.25 = 10.69
    ws.cell(row_of(ws, L.TOTAL_LABEL), 9).value = 93.74
    buffer = BytesIO()
    wb.save(buffer)
    importer.import_workbook(rich_evaluation.pk, personas["finance"], buffer.getvalue())
    rich_evaluation.refresh_from_db()
    indicator = rich_evaluation.indicators.get(name="按期处置率")
    assert indicator.score == D("10.69") and indicator.declared_score == D("11.25")
    assert rich_evaluation.declared_total == D("93.74")
    from evaluation.selfeval.checks import run_checks

    found = {f.code for f in run_checks(services.load(rich_evaluation))}
    assert {"score_not_rule", "total_not_sum"} <= found


def test_import_with_bad_rows_reports_row_numbers_and_writes_nothing(rich_evaluation, personas):
    before = snapshot(rich_evaluation)
    events = rich_evaluation.events.count()
    wb = load_workbook(BytesIO(export(rich_evaluation)))
    ws = wb[L.SHEET_TITLE]
    first = row_of(ws, "一级指标") + 1
    funds_total = row_of(ws, L.FUNDS_ROW_LABELS["total"])
    ws.cell(funds_total, 5).value = "九十五"  # not a number
    ws.cell(first + 2, 8).value = None  # weight missing
    ws.cell(first + 1, 12).value = None  # manual score without its reason
    ws.cell(first + 4, 4).value = "约等于"  # unknown direction
    ws.cell(first + 6, 3).value = "新增指标"  # a valid change that must not be written either
    buffer = BytesIO()
    wb.save(buffer)
    with pytest.raises(importer.WorkbookInvalid) as info:
        importer.import_workbook(rich_evaluation.pk, personas["finance"], buffer.getvalue())
    errors = {(e.row, e.column) for e in info.value.errors}
    assert (funds_total, "E") in errors
    assert (first + 2, "H") in errors
    assert (first + 1, "L") in errors
    assert (first + 4, "D") in errors
    assert len(info.value.errors) == 4
    assert snapshot(rich_evaluation) == before
    assert rich_evaluation.events.count() == events
    assert not Indicator.objects.filter(name="新增指标").exists()


def test_import_refuses_another_project_or_year_and_non_workbooks(rich_evaluation, personas):
    other = make_evaluation(year=2023)
    with pytest.raises(importer.WorkbookInvalid) as info:
        importer.import_workbook(other.pk, personas["finance"], export(rich_evaluation))
    assert [(e.row, e.column) for e in info.value.errors] == [(3, "H")]  # 年度 2024 ≠ 2023
    with pytest.raises(importer.WorkbookInvalid) as info:
        importer.import_workbook(other.pk, personas["finance"], b"not a workbook")
    assert info.value.errors[0].row is None


def test_the_findings_sheet_names_each_check_by_its_label(rich_evaluation, personas):
    from django.utils import translation

    from evaluation.selfeval.checks import CHECK_LABELS

    content = export(rich_evaluation)
    wb = load_workbook(BytesIO(content))
    ws = wb[L.SHEET_TITLE]
    ws.cell(row_of(ws, L.TOTAL_LABEL), 9).value = 93.74  # declared total ≠ the sum: one finding at least
    buffer = BytesIO()
    wb.save(buffer)
    importer.import_workbook(rich_evaluation.pk, personas["finance"], buffer.getvalue())
    rich_evaluation.refresh_from_db()
    with translation.override("en"):  # an English-speaking exporter still gets the finance bureau's Chinese
        findings = load_workbook(BytesIO(export(rich_evaluation)))[L.FINDINGS_SHEET_TITLE]
    names = [findings.cell(r, 1).value for r in range(2, findings.max_row + 1)]
    assert findings.cell(1, 1).value == "检查项"
    with translation.override("zh-hans"):
        assert str(CHECK_LABELS["total_not_sum"]) in names
    assert not any(name in CHECK_LABELS for name in names)  # no raw code such as total_not_sum


# Provenance and bookkeeping change on import by design: the figures now come from the workbook, at a new time.
NOT_ROUND_TRIPPED = {"id", "evaluation", "sources", "created_at", "updated_at", "computed_at"}


def every_field(evaluation: SelfEvaluation) -> dict:
    """Every stored field of the evaluation, its funds lines and its indicator rows, flat, so a failure names it."""

    def fields(prefix: str, obj) -> dict:
        concrete = obj._meta.concrete_fields
        return {f"{prefix}.{f.attname}": getattr(obj, f.attname) for f in concrete if f.name not in NOT_ROUND_TRIPPED}

    evaluation.refresh_from_db()
    flat = fields("evaluation", evaluation)
    for line in evaluation.funds.all():
        flat |= fields(f"funds[{line.row}]", line)
    for indicator in evaluation.indicators.order_by("position", "id"):
        flat |= fields(f"indicator[{indicator.position}]", indicator)
    return flat


def changes(before: dict, after: dict) -> dict:
    return {
        key: (before.get(key), after.get(key))
        for key in before.keys() | after.keys()
        if before.get(key) != after.get(key)
    }


def test_round_trip_keeps_every_declared_figure_of_bishan_2022(personas):
    """璧山 2022 as its unit declared it: total 93.74, 优, execution rate 100 %, 得分率 per indicator."""
    from evaluation.selfeval.demo import BISHAN_UNIT, seed_self_evaluations

    seed_self_evaluations(2025)
    bishan = SelfEvaluation.objects.get(project__unit_name=BISHAN_UNIT, year=2022)
    before = every_field(bishan)
    assert before["evaluation.declared_total"] == D("93.74") and before["evaluation.declared_grade"]
    assert before["evaluation.funds_declared_rate"] == D(100) and before["evaluation.funds_score"] == D(10)
    assert any(key.endswith(".declared_rate") and value is not None for key, value in before.items())

    importer.import_workbook(bishan.pk, personas["finance"], export(bishan), "bishan.xlsx")

    assert changes(before, every_field(bishan)) == {}


def test_round_trip_keeps_declared_scores_of_rule_scored_rows(rich_evaluation, personas):
    indicator = rich_evaluation.indicators.get(name="按期处置率")  # the rule gives 10.69
    indicator.declared_score, indicator.declared_rate = D("11.25"), D(100)
    indicator.save()
    SelfEvaluation.objects.filter(pk=rich_evaluation.pk).update(funds_declared_score=D(8), funds_declared_rate=D(90))
    rich_evaluation.refresh_from_db()
    services.recompute(rich_evaluation)
    before = every_field(rich_evaluation)
    assert before["evaluation.funds_declared_score"] == D(8) and before["evaluation.funds_declared_rate"] == D(90)
    assert before[f"indicator[{indicator.position}].declared_score"] == D("11.25")

    importer.import_workbook(rich_evaluation.pk, personas["finance"], export(rich_evaluation), "filled.xlsx")

    assert changes(before, every_field(rich_evaluation)) == {}
