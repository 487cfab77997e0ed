"""Demo self-evaluations: the two real 2022 reports in shared/seeds, entered as those units would have typed them,
and the demo city's own year bound to the platform's metrics.

- 重庆市璧山区智慧城市管理指挥中心 2022 部门整体支出: the ten indicators of its 表1 (预算执行率 is the funds block,
  the other nine the indicator table: 90 + 10), the scores and 得分率 as printed, the declared total 93.74 and grade
  优, and the budget line with its "1899305.84万元" where yuan were meant. The platform computes 73.47 (中) and the
  checks flag every contradiction of the printed table.
- 随州市数字化城管监督指挥中心 2022 数字城管运行项目: 21 万元 budgeted, 20.33 万元 executed (96.81 %, printed as 96 %),
  declared total 95, and the eight indicators its finance office enters from the report's figures (42,199 cases
  collected, disposal 97.2 %, closure 97.43 %, 583 hotline orders 100 % on time, 97.47 % satisfied, 8 bulletins,
  the three-level platform link-up) on the usual 90-point table. The report prints the figures and the missed goal
  ("案件上报数量较年初目标值偏低") but no targets: the targets are the ones such an office sets (``SUIZHOU_INDICATORS``
  says which are assumed), so the missed one scores below its weight and the platform's total (98.75) stands next to
  the declared 95, which the checks flag.
- The demo city's own year: nine indicators bound to the system metrics (cases per month, disposal and closure rates,
  hotline figures, system fault rate) plus the funds block, filled from the platform.

``seed_self_evaluations`` is idempotent: an evaluation that exists is left as it is (edits survive a re-seed).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from django.db import transaction

from evaluation.models.selfeval import (
    Direction,
    FundsLine,
    FundsRow,
    Grade,
    Indicator,
    Project,
    ProjectKind,
    ScoreMode,
    SelfEvaluation,
    SelfEvaluationEvent,
)
from evaluation.selfeval import services

BISHAN_UNIT = "重庆市璧山区智慧城市管理指挥中心"
SUIZHOU_UNIT = "随州市数字化城管监督指挥中心"
DEMO_UNIT = "示范区智慧城市管理指挥中心"
SEED_SOURCE = {"kind": "manual", "detail": "shared/seeds 2022 report"}
CASES_TRIPLE = "12319、数字城管、“马路办公--千里眼”"

# (一级, 二级, 三级, weight, printed score, printed 得分率 %, reason as the report's analysis gives it, metric)
BISHAN_INDICATORS = [
    (
        "产出指标",
        "质量指标",
        "预决算信息公开率",
        "10",
        "10",
        "100",
        "2022年按时完成了预决算公开，财政资金使用情况公开透明。",
        "",
    ),
    (
        "产出指标",
        "数量指标",
        f"{CASES_TRIPLE}每月案件处理总量",
        "15",
        "10",
        "100",
        "每月案件处理总量完成了年初设定绩效目标。",
        "cases_per_month",
    ),
    (
        "产出指标",
        "时效指标",
        f"{CASES_TRIPLE}案件按时处置率",
        "10",
        "10",
        "80",
        "单位按时处置案件，使案件按时处置率完成了年初绩效目标。",
        "ontime_disposal_rate",
    ),
    (
        "产出指标",
        "时效指标",
        f"{CASES_TRIPLE}案件按时结案率",
        "15",
        "10",
        "100",
        "单位按时对案件进行结案，使案件按时结案率完成了年初绩效目标。",
        "ontime_closure_rate",
    ),
    (
        "效益指标",
        "社会效益指标",
        "12319舆情投诉问题回复率",
        "5",
        "5",
        "100",
        "共受理网络舆情25件，办结25件，结案率100%。",
        "opinion_reply_rate",  # 舆情: the online-opinion items, not the hotline's work orders
    ),
    (
        "效益指标",
        "可持续影响指标",
        "智慧城管系统运行故障率",
        "15",
        "5",
        "100",
        "智慧城管系统运行故障率完成了年初绩效目标。",
        "system_fault_rate",
    ),
    ("效益指标", "社会效益指标", "工作成效市级考核", "5", "5", "100", "2022年单位工作成效考核达到市级考核标准。", ""),
    (
        "效益指标",
        "可持续影响指标",
        "提高数字城管人员工作水平，提升工作态度",
        "5",
        "4",
        "80",
        "对数字城管工作重视程度不够，经办人员责任意识淡薄、工作态度敷衍，造成案件受理、处置不及时，超期未处置案件数增多。",
        "",
    ),
    (
        "满意度指标",
        "服务对象满意度指标",
        "服务对象满意度",
        "10",
        "4.47",
        "47.74",
        "未做好12319城管舆情市民投诉问题办理的沟通、答疑、解释、宣传工作，案件处置完毕后市民回访满意度不高。",
        "hotline_satisfaction_rate",
    ),
]

_BISHAN_DIRECTION = {"system_fault_rate": Direction.AT_MOST}

# Suizhou 2022 as its office enters it: (一级, 二级, 三级, direction, target, unit, weight, actual, deviation).
# The actual values are the report's; the targets are not printed in it, so they are the usual year-start targets
# of such a centre; the 45,000 cases collected is an assumption that makes
# "案件上报数量较年初目标值偏低" a missed target.
SUIZHOU_INDICATORS = [
    (
        "产出指标",
        "数量指标",
        "采集城市管理事件、部件数",
        Direction.AT_LEAST,
        "45000",
        "件",
        "15",
        "42199",
        "未完成：由于疫情原因，信息采集员无法正常上岗，采集进度受到影响；服务器迁至电信云平台过程中案件上报受到一定影响，"
        "导致案件上报数量较年初目标值偏低。",
    ),
    ("产出指标", "数量指标", "受理转办热线工单数", Direction.AT_LEAST, "500", "件", "10", "583", ""),
    ("产出指标", "数量指标", "发放考评通报期数", Direction.AT_LEAST, "8", "期", "5", "8", ""),
    ("产出指标", "质量指标", "案件处置率", Direction.AT_LEAST, "95", "%", "10", "97.2", ""),
    ("产出指标", "质量指标", "案件结案率", Direction.AT_LEAST, "95", "%", "10", "97.43", ""),
    ("效益指标", "社会效益指标", "热线工单按时办结率", Direction.AT_LEAST, "95", "%", "15", "100", ""),
    ("效益指标", "可持续影响指标", "国家、省、市三级平台互联互通", Direction.QUALITATIVE, "", "", "15", "", ""),
    ("满意度指标", "服务对象满意度指标", "群众满意率", Direction.AT_LEAST, "90", "%", "10", "97.47", ""),
]
SUIZHOU_LINKUP_REASON = (
    "完成了市级数字化城管平台与国家、省级城市综合管理服务平台互联互通，实现单点登录和数据共享，目标全部完成。"
)

# (一级, 二级, 三级, direction, target, unit, weight, metric)
DEMO_INDICATORS = [
    ("产出指标", "数量指标", "每月案件处理总量", Direction.AT_LEAST, "1000", "件/月", "15", "cases_per_month"),
    ("产出指标", "质量指标", "案件处置率", Direction.AT_LEAST, "95", "%", "10", "disposal_rate"),
    ("产出指标", "质量指标", "案件结案率", Direction.AT_LEAST, "95", "%", "10", "closure_rate"),
    ("产出指标", "时效指标", "案件按期处置率", Direction.AT_LEAST, "90", "%", "10", "ontime_disposal_rate"),
    ("产出指标", "时效指标", "案件按期结案率", Direction.AT_LEAST, "90", "%", "5", "ontime_closure_rate"),
    ("效益指标", "社会效益指标", "12319热线工单回复率", Direction.AT_LEAST, "98", "%", "10", "hotline_reply_rate"),
    ("效益指标", "社会效益指标", "热线工单按时办结率", Direction.AT_LEAST, "95", "%", "10", "hotline_ontime_rate"),
    ("效益指标", "可持续影响指标", "智慧城管系统运行故障率", Direction.AT_MOST, "1", "%", "10", "system_fault_rate"),
    (
        "满意度指标",
        "服务对象满意度指标",
        "群众满意率",
        Direction.AT_LEAST,
        "90",
        "%",
        "10",
        "hotline_satisfaction_rate",
    ),
]


def _funds(evaluation: SelfEvaluation, rows: dict) -> None:
    for row in FundsLine.ORDER:
        initial, adjusted, executed = rows.get(row, (None, None, None))
        sources = {
            f: dict(SEED_SOURCE)
            for f, v in zip(services.FUNDS_AMOUNTS, (initial, adjusted, executed), strict=True)
            if v
        }
        FundsLine.objects.create(
            evaluation=evaluation,
            row=row,
            initial_budget=D(initial) if initial else None,
            adjusted_budget=D(adjusted) if adjusted else None,
            executed=D(executed) if executed else None,
            sources=sources,
        )


def _finish(evaluation: SelfEvaluation, *, from_platform: bool = False) -> None:
    data = services.load(evaluation)
    filled = services.fill_from_platform(data) if from_platform else {}
    services.compute(data)
    services.save_loaded(data)
    SelfEvaluationEvent.objects.create(
        evaluation=evaluation, action="seed", to_status=evaluation.status, data={"filled": filled}
    )


def _bishan() -> bool:
    project, _ = Project.objects.get_or_create(
        unit_name=BISHAN_UNIT,
        name="部门整体支出",
        defaults={"kind": ProjectKind.WHOLE, "competent_department": "重庆市璧山区城市管理局"},
    )
    if SelfEvaluation.objects.filter(project=project, year=2022).exists():
        return False
    evaluation = SelfEvaluation.objects.create(
        project=project,
        year=2022,
        unit_name=BISHAN_UNIT,
        funds_full_rate=D(95),  # 年初设定绩效目标：预算执行率不得低于95%
        funds_declared_rate=D(100),
        funds_declared_score=D(10),
        declared_total=D("93.74"),
        declared_grade=Grade.EXCELLENT,
        goal_expected="全面增强问题巡查力度，做好12319民生服务热线，加速城市综合管理服务平台建设，预算执行率不低于95%。",
        goal_achieved=(
            "持续强化33.18平方公里、548个万米单元网格、319996个城市部件的监测和管理；受理12319等热线电话576件，"
            "办结576件；受理网络舆情25件，办结25件；全区开展城市综合管理巡查5994次，发现并处置问题27534件。"
        ),
        achievements=(
            "（一）提升了数字城管系统平台治理效能；（二）持续做好“12319”民生服务热线；"
            "（三）加速了城市综合管理服务平台建设；（四）纵深推进了“城市综合管理巡查”长效开展。"
        ),
        problems=(
            "1、数字城管人员的工作水平有待提高，工作态度有待提升：未及时受理与处置案件，超期未处置案件数增多。\n"
            "2、市民对12319城管舆情投诉处理的回访满意度不高。"
        ),
        measures=(
            "1、提高数字城管工作的重视程度，加强对工作人员的培训，强化经办工作人员的责任意识，提高工作水平。\n"
            "2、加强与市民群众的沟通、答疑、解释等工作，做好12319城管舆情宣传工作，提升市民回访满意度。"
        ),
        sources={"declared_total": dict(SEED_SOURCE), "declared_grade": dict(SEED_SOURCE)},
    )
    # 万元, as the report's budget paragraph gives them: 2646592.44元 initial, 1895782.53元 adjusted fiscal funds,
    # 3523.31元 carried over, 1899305.84元 adjusted in all — and "年末支出决算为1899305.84万元" as printed.
    _funds(
        evaluation,
        {
            FundsRow.TOTAL: ("264.659244", "189.930584", "1899305.84"),
            FundsRow.FISCAL: ("264.659244", "189.578253", None),
            FundsRow.CARRIED: (None, "0.352331", None),
        },
    )
    for position, (l1, l2, name, weight, score, rate, reason, metric) in enumerate(BISHAN_INDICATORS):
        Indicator.objects.create(
            evaluation=evaluation,
            position=position,
            level1=l1,
            level2=l2,
            name=name,
            direction=_BISHAN_DIRECTION.get(metric, Direction.AT_LEAST) if metric else Direction.QUALITATIVE,
            unit="%" if metric and metric != "cases_per_month" else "",
            metric_key="",  # the unit typed its figures; nothing is bound to another city's platform
            weight=D(weight),
            score_mode=ScoreMode.MANUAL,
            manual_score=D(score),
            manual_reason=f"根据评价标准，该指标得{rate}%权重分。{reason}",
            declared_rate=D(rate),
            deviation=reason,
            sources={"score": dict(SEED_SOURCE), "weight": dict(SEED_SOURCE)},
        )
    _finish(evaluation)
    return True


def _suizhou() -> bool:
    project, _ = Project.objects.get_or_create(
        unit_name=SUIZHOU_UNIT, name="数字城管运行项目", defaults={"kind": ProjectKind.PROJECT}
    )
    if SelfEvaluation.objects.filter(project=project, year=2022).exists():
        return False
    evaluation = SelfEvaluation.objects.create(
        project=project,
        year=2022,
        unit_name=SUIZHOU_UNIT,
        funds_declared_rate=D(96),
        declared_total=D(95),
        goal_expected="完成数字城管系统运行维护，及时采集、派遣、处置城市管理问题，办理12345、12319热线转办件。",
        goal_achieved=(
            "共采集城市管理事件、部件42199件，案件处置率97.2%，结案率97.43%；受理转办热线工单583件，"
            "按时办结率100%，群众满意率97.47%。未完成：案件上报数量较年初目标值偏低。"
        ),
        achievements="完成市级数字化城管平台与国家、省级城市综合管理服务平台互联互通；推进智慧城管升级。",
        problems=(
            "1.由于疫情原因，信息采集员无法正常上岗，采集进度受到影响导致案件上报数量偏低。\n"
            "2.自建服务器五年服务期已到，迁至电信云平台过程中案件上报受到一定影响。"
        ),
        measures="一是健全内部管理制度；二是推进数字城管向智慧城管升级。市数字城管中心将增加智慧城管项目升级资金预算。",
        previous_use="高度重视绩效评价结果的应用工作，建立与预算管理相结合、多渠道应用评价结果的有效机制。",
        sources={"declared_total": dict(SEED_SOURCE), "funds_declared_rate": dict(SEED_SOURCE)},
    )
    _funds(evaluation, {FundsRow.TOTAL: ("21", "21", "20.33"), FundsRow.FISCAL: ("21", "21", "20.33")})
    for position, (l1, l2, name, direction, target, unit, weight, actual, deviation) in enumerate(SUIZHOU_INDICATORS):
        qualitative = direction == Direction.QUALITATIVE
        Indicator.objects.create(
            evaluation=evaluation,
            position=position,
            level1=l1,
            level2=l2,
            name=name,
            direction=direction,
            target_value=D(target) if target else None,
            target_text="完成互联互通" if qualitative else "",
            unit=unit,
            weight=D(weight),
            actual_value=D(actual) if actual else None,
            actual_text="已完成" if qualitative else "",
            score_mode=ScoreMode.MANUAL if qualitative else ScoreMode.RULE,
            manual_score=D(weight) if qualitative else None,
            manual_reason=SUIZHOU_LINKUP_REASON if qualitative else "",
            deviation=deviation,
            sources={"actual": dict(SEED_SOURCE), "weight": dict(SEED_SOURCE), "target": dict(SEED_SOURCE)},
        )
    _finish(evaluation)
    return True


def _demo_city(year: int) -> bool:
    project, _ = Project.objects.get_or_create(
        unit_name=DEMO_UNIT,
        name="数字城管运行项目",
        defaults={"kind": ProjectKind.PROJECT, "competent_department": "示范区城市管理局"},
    )
    if SelfEvaluation.objects.filter(project=project, year=year).exists():
        return False
    evaluation = SelfEvaluation.objects.create(
        project=project,
        year=year,
        unit_name=DEMO_UNIT,
        project_leader="张明",
        contact_person="李华",
        contact_phone="023-41420000",
        filled_on=date(year + 1, 3, 15) if date(year + 1, 3, 15) <= date.today() else None,
        goal_expected="保障数字城管平台全年稳定运行，案件及时处置、按期结案，热线工单按时办结，群众满意。",
    )
    _funds(evaluation, {FundsRow.TOTAL: ("120", "118.5", "112.36"), FundsRow.FISCAL: ("120", "118.5", "112.36")})
    for position, (l1, l2, name, direction, target, unit, weight, metric) in enumerate(DEMO_INDICATORS):
        Indicator.objects.create(
            evaluation=evaluation,
            position=position,
            level1=l1,
            level2=l2,
            name=name,
            direction=direction,
            target_value=D(target),
            unit=unit,
            weight=D(weight),
            metric_key=metric,
        )
    _finish(evaluation, from_platform=True)
    return True


@transaction.atomic
def seed_self_evaluations(year_of_demo_city: int) -> dict[str, int]:
    """The Bishan and Suizhou 2022 self-evaluations and the demo city's own year; only what is missing is added."""
    created = {"bishan": _bishan(), "suizhou": _suizhou(), "demo_city": _demo_city(year_of_demo_city)}
    return {key: int(value) for key, value in created.items()}
