"""Builders for the self-evaluation tests: a project year with funds rows and indicator rows, written with the ORM
and recomputed by the service's own ``compute``."""

from __future__ import annotations

from decimal import Decimal as D

from evaluation.models import FundsLine, Indicator, Project, SelfEvaluation
from evaluation.models.selfeval import Direction, FundsRow, ScoreMode
from evaluation.selfeval import services

# Nine indicators of 10 weight each: 90 + funds 10 = 100.
STANDARD_ROWS = [
    ("产出指标", "数量指标", "每月案件处理总量", Direction.AT_LEAST, "1000", "件/月", "cases_per_month"),
    ("产出指标", "质量指标", "案件处置率", Direction.AT_LEAST, "95", "%", "disposal_rate"),
    ("产出指标", "质量指标", "案件结案率", Direction.AT_LEAST, "95", "%", "closure_rate"),
    ("产出指标", "时效指标", "按期处置率", Direction.AT_LEAST, "90", "%", "ontime_disposal_rate"),
    ("产出指标", "时效指标", "按期结案率", Direction.AT_LEAST, "90", "%", "ontime_closure_rate"),
    ("效益指标", "社会效益指标", "热线回复率", Direction.AT_LEAST, "98", "%", "hotline_reply_rate"),
    ("效益指标", "社会效益指标", "预决算公开", Direction.EQUAL, "100", "%", ""),
    ("效益指标", "可持续影响指标", "系统运行故障率", Direction.AT_MOST, "1", "%", "system_fault_rate"),
    ("满意度指标", "服务对象满意度指标", "群众满意率", Direction.AT_LEAST, "90", "%", "hotline_satisfaction_rate"),
]


def make_evaluation(
    *,
    year: int = 2024,
    name: str = "数字城管运行项目",
    funds: dict | None = None,
    rows: list | None = None,
    actuals: list | None = None,
) -> SelfEvaluation:
    project, _ = Project.objects.get_or_create(unit_name="测试指挥中心", name=name)
    evaluation = SelfEvaluation.objects.create(
        project=project,
        year=year,
        unit_name="测试指挥中心",
        contact_person="李华",
        contact_phone="023-1234567",
        project_leader="张明",
        goal_expected="平台稳定运行",
        goal_achieved="全年稳定运行",
        achievements="成效",
        problems="问题",
        measures="措施",
        previous_use="应用",
    )
    funds = (
        funds if funds is not None else {FundsRow.TOTAL: ("100", "100", "95"), FundsRow.FISCAL: ("100", "100", "95")}
    )
    for row in FundsLine.ORDER:
        values = funds.get(row, (None, None, None))
        FundsLine.objects.create(
            evaluation=evaluation,
            row=row,
            **{f: (D(v) if v is not None else None) for f, v in zip(services.FUNDS_AMOUNTS, values, strict=True)},
        )
    rows = STANDARD_ROWS if rows is None else rows
    actuals = actuals or ["1200", "97.2", "97.43", "85.5", "92", "100", "100", "0.5", "88"]
    for position, (l1, l2, name_, direction, target, unit, metric) in enumerate(rows):
        Indicator.objects.create(
            evaluation=evaluation,
            position=position,
            level1=l1,
            level2=l2,
            name=name_,
            direction=direction,
            target_value=D(target),
            unit=unit,
            actual_value=D(actuals[position]) if position < len(actuals) else None,
            metric_key=metric,
            weight=D(10),
        )
    services.recompute(evaluation)
    evaluation.refresh_from_db()
    return evaluation


def manual(indicator: Indicator, score: str, reason: str = "局部扣分") -> Indicator:
    indicator.score_mode = ScoreMode.MANUAL
    indicator.manual_score = D(score)
    indicator.manual_reason = reason
    indicator.save()
    return indicator
