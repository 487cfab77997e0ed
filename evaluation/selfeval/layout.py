"""The finance bureau's self-evaluation form as a workbook: the labels the export writes and the import looks for.

These labels are the form's own (the finance bureau prints them in Chinese whatever the platform's language), so
they are data rather than interface text: the importer finds the blocks of a filled workbook by them.
"""

from __future__ import annotations

from evaluation.models.selfeval import Direction, FundsRow, ProjectKind

SHEET_TITLE = "绩效自评表"
FINDINGS_SHEET_TITLE = "校验结果"
AMOUNT_UNIT_NOTE = "金额单位：万元"

# Header block: label → SelfEvaluation field (None: read for matching only).
HEADER_LABELS = {
    "项目名称": "project",
    "年度": "year",
    "项目类型": "kind",
    "主管部门": "competent_department",
    "实施单位": "unit_name",
    "项目负责人": "project_leader",
    "联系人": "contact_person",
    "联系电话": "contact_phone",
    "填报日期": "filled_on",
}
KIND_LABELS = {ProjectKind.PROJECT: "项目支出", ProjectKind.WHOLE: "部门整体支出"}

FUNDS_HEADER = "项目资金（万元）"
FUNDS_COLUMNS = ["年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率（B/A）", "得分", "满分执行率"]
FUNDS_ROW_LABELS = {
    FundsRow.TOTAL: "年度资金总额",
    FundsRow.FISCAL: "其中：当年财政拨款",
    FundsRow.CARRIED: "上年结转资金",
    FundsRow.OTHER: "其他资金",
}
GOALS_LABEL = "年度总体目标"
GOALS_COLUMNS = ("预期目标", "实际完成情况")

INDICATOR_COLUMNS = [
    ("level1", "一级指标"),
    ("level2", "二级指标"),
    ("name", "三级指标"),
    ("direction", "指标方向"),
    ("target", "年度指标值"),
    ("unit", "计量单位"),
    ("actual", "实际完成值"),
    ("weight", "分值"),
    ("score", "得分"),
    ("rate", "得分率"),
    ("mode", "评分方式"),
    ("manual_reason", "人工评分理由"),
    ("deviation", "偏差原因分析及改进措施"),
    ("source", "数据来源"),
]
DIRECTION_LABELS = {
    Direction.AT_LEAST: "≥",
    Direction.AT_MOST: "≤",
    Direction.EQUAL: "=",
    Direction.QUALITATIVE: "定性",
}
DIRECTION_ALIASES = {">=": Direction.AT_LEAST, "<=": Direction.AT_MOST, "＝": Direction.EQUAL, "==": Direction.EQUAL}
MODE_RULE, MODE_MANUAL, MODE_INAPPLICABLE = "规则计算", "人工评分", "不适用"

TOTAL_LABEL = "总分"
GRADE_LABEL = "评价等级"
TEXT_LABELS = {
    "achievements": "主要成效",
    "problems": "存在问题和原因",
    "measures": "改进措施",
    "previous_use": "上年结果应用",
}
SIGNATURE_LINE = "单位负责人（签字）：__________    财务负责人（签字）：__________    填报人（签字）：__________"

# Number formats.
AMOUNT_FORMAT = "#,##0.00"
FIGURE_FORMAT = "#,##0.00"
SCORE_FORMAT = "0.00"
RATE_FORMAT = "0.00%"
DATE_FORMAT = "yyyy-mm-dd"

SOURCE_LABELS = {
    "metric": "系统指标",
    "manual": "人工填报",
    "import": "导入",
    "computed": "系统计算",
    "copied": "上年沿用",
}

# A self-evaluation is one sheet of a hundred rows or so: anything far bigger is not one (the spreadsheet kit's
# checks refuse it before parsing).
UPLOAD_LIMITS = {"max_bytes": 5 * 1024 * 1024, "max_rows": 5000, "max_columns": 64}
