"""The annual performance self-evaluation (绩效自评, docs/domain.md §7) that finance bureaus ask of every unit.

A ``Project`` is what is evaluated: one spending project (项目支出, e.g. 数字城管运行项目) or the unit's whole spending
(部门整体支出). Each year it gets one ``SelfEvaluation``: a header block, the funds block (``FundsLine`` rows in 万元),
the indicator tree 一级 / 二级 / 三级 (``Indicator`` rows), the text sections, the total and the grade.

Figures the platform computes (scores, rates, the total, the grade) sit beside the figures a unit *declared* (typed
from its own report or read from an imported workbook: ``declared_*``). Declared figures are only kept where they
differ from the platform's, so the consistency checks (``evaluation.selfeval.checks``) can explain each contradiction.
Every figure carries its source in ``sources`` (``{"figure": {"kind": "metric"|"manual"|"import"|"rule"|"computed",
...}}``): the system metric key and period, who typed it and when, or which workbook it came from.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimelineEvent

AMOUNT = {"max_digits": 18, "decimal_places": 6, "null": True, "blank": True}  # 万元 to the fen (0.000001 万元)
FIGURE = {"max_digits": 16, "decimal_places": 4, "null": True, "blank": True}
RATE = {"max_digits": 16, "decimal_places": 2, "null": True, "blank": True}  # a mixed-up unit gives 10⁶ %
SCORE = {"max_digits": 7, "decimal_places": 2, "null": True, "blank": True}


class ProjectKind(models.TextChoices):
    PROJECT = "project", _("Project spending")  # 项目支出
    WHOLE = "whole", _("Whole spending of the unit")  # 部门整体支出


class SelfEvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CHECKED = "checked", _("Checks passed")
    EXPORTED = "exported", _("Exported")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")  # 优 ≥ 90
    GOOD = "good", _("Good")  # 良 80–89
    FAIR = "fair", _("Fair")  # 中 60–79
    POOR = "poor", _("Poor")  # 差 < 60


class FundsRow(models.TextChoices):
    TOTAL = "total", _("Total annual funds")  # 年度资金总额
    FISCAL = "fiscal", _("Of which: fiscal appropriation")  # 其中：当年财政拨款
    CARRIED = "carried", _("Carried over from last year")  # 上年结转资金
    OTHER = "other", _("Other funds")  # 其他资金


class Direction(models.TextChoices):
    AT_LEAST = "ge", "≥"
    AT_MOST = "le", "≤"
    EQUAL = "eq", "="
    QUALITATIVE = "qual", _("Qualitative")  # 定性


class ScoreMode(models.TextChoices):
    RULE = "rule", _("By the rule")
    MANUAL = "manual", _("Manual")


class Project(models.Model):
    """What a self-evaluation is about: a spending project or the unit's whole spending."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ProjectKind.choices, default=ProjectKind.PROJECT)
    unit_name = models.CharField(_("implementing unit"), max_length=200)  # 实施单位
    competent_department = models.CharField(_("competent department"), max_length=200, blank=True)  # 主管部门
    description = models.TextField(_("project description"), blank=True)

    class Meta:
        verbose_name = _("evaluated project")
        verbose_name_plural = _("evaluated projects")
        ordering = ["unit_name", "name"]
        constraints = [models.UniqueConstraint(fields=["unit_name", "name"], name="selfeval_project_unique")]

    def __str__(self) -> str:
        return f"{self.unit_name} · {self.name}"


class SelfEvaluation(models.Model):
    """One year's self-evaluation of one project: header, funds, indicators, texts, total and grade."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="evaluations"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=SelfEvaluationStatus.choices, default=SelfEvaluationStatus.DRAFT
    )
    # Header block (as on the finance bureau's form and the seeds' title pages).
    unit_name = models.CharField(_("reporting unit"), max_length=200)
    project_leader = models.CharField(_("project leader"), max_length=50, blank=True)  # 项目负责人
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)  # 联系人
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)  # 联系电话
    filled_on = models.DateField(_("date filled in"), null=True, blank=True)  # 填报日期
    # Funds block: its weight and rule (default: min(rate / full_rate, 1) × weight with full_rate = 100 %).
    funds_weight = models.DecimalField(_("funds weight"), max_digits=6, decimal_places=2, default=Decimal(10))
    funds_full_rate = models.DecimalField(
        _("execution rate earning full marks (%)"), max_digits=6, decimal_places=2, default=Decimal(100)
    )
    funds_rate = models.DecimalField(_("execution rate (%)"), **RATE)
    funds_score = models.DecimalField(_("funds score"), **SCORE)
    funds_declared_rate = models.DecimalField(_("declared execution rate (%)"), **RATE)
    funds_declared_score = models.DecimalField(_("declared funds score"), **SCORE)
    # Text sections.
    goal_expected = models.TextField(_("annual overall goal: expected"), blank=True)  # 年度总体目标 预期目标
    goal_achieved = models.TextField(_("annual overall goal: achieved"), blank=True)  # 实际完成情况
    achievements = models.TextField(_("achievements"), blank=True)  # 主要成效
    problems = models.TextField(_("problems and causes"), blank=True)  # 存在问题和原因
    measures = models.TextField(_("improvement measures"), blank=True)  # 改进措施
    previous_use = models.TextField(_("use of last year's result"), blank=True)  # 上年结果应用
    # Result: computed by the platform; the declared ones as the unit stated them (kept only where they differ).
    total = models.DecimalField(_("total score"), **SCORE)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, blank=True)
    declared_total = models.DecimalField(_("declared total"), **SCORE)
    declared_grade = models.CharField(_("declared grade"), max_length=10, choices=Grade.choices, blank=True)
    sources = models.JSONField(_("sources of the figures"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("self-evaluation")
        verbose_name_plural = _("self-evaluations")
        ordering = ["-year", "project__unit_name", "project__name"]
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="selfeval_one_per_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.project.name}"


class FundsLine(models.Model):
    """One row of the funds block, amounts in 万元."""

    evaluation = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="funds")
    row = models.CharField(_("row"), max_length=10, choices=FundsRow.choices)
    initial_budget = models.DecimalField(_("initial budget (10k yuan)"), **AMOUNT)  # 年初预算数
    adjusted_budget = models.DecimalField(_("full-year budget (10k yuan)"), **AMOUNT)  # 全年预算数 (A)
    executed = models.DecimalField(_("executed (10k yuan)"), **AMOUNT)  # 全年执行数 (B)
    sources = models.JSONField(_("sources of the figures"), default=dict, blank=True)

    ORDER = [FundsRow.TOTAL, FundsRow.FISCAL, FundsRow.CARRIED, FundsRow.OTHER]

    class Meta:
        verbose_name = _("funds line")
        verbose_name_plural = _("funds lines")
        constraints = [models.UniqueConstraint(fields=["evaluation", "row"], name="selfeval_funds_row_unique")]

    def __str__(self) -> str:
        return self.get_row_display()

    @property
    def rate(self) -> Decimal | None:
        """执行率 B/A in percent, unrounded."""
        if self.executed is None or not self.adjusted_budget:
            return None
        return self.executed / self.adjusted_budget * 100


class Indicator(models.Model):
    """A 三级 indicator with its 一级/二级 parents named on the row (the tree is read by grouping rows in order)."""

    evaluation = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    level1 = models.CharField(_("level-1 indicator"), max_length=50)  # 产出 / 效益 / 满意度 …
    level2 = models.CharField(_("level-2 indicator"), max_length=50)  # 数量 / 质量 / 时效 / 成本 …
    name = models.CharField(_("indicator"), max_length=200)  # 三级指标
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices, default=Direction.AT_LEAST)
    target_value = models.DecimalField(_("target value"), **FIGURE)
    target_text = models.CharField(_("target (text)"), max_length=200, blank=True)
    unit = models.CharField(_("unit of measure"), max_length=20, blank=True)
    actual_value = models.DecimalField(_("actual value"), **FIGURE)
    actual_text = models.CharField(_("actual (text)"), max_length=200, blank=True)
    metric_key = models.CharField(_("system metric"), max_length=40, blank=True)  # empty: typed in
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    effective_weight = models.DecimalField(_("rescaled weight"), **SCORE)
    inapplicable = models.BooleanField(_("inapplicable"), default=False)
    score_mode = models.CharField(_("scoring"), max_length=10, choices=ScoreMode.choices, default=ScoreMode.RULE)
    manual_score = models.DecimalField(_("manual score"), **SCORE)
    manual_reason = models.TextField(_("reason for the manual score"), blank=True)
    score = models.DecimalField(_("score"), **SCORE)
    declared_score = models.DecimalField(_("declared score"), **SCORE)
    declared_rate = models.DecimalField(_("declared score rate (%)"), **SCORE)
    deviation = models.TextField(_("deviation analysis and measures"), blank=True)  # 偏差原因分析及改进措施
    sources = models.JSONField(_("sources of the figures"), default=dict, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["evaluation", "position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def score_rate(self) -> Decimal | None:
        """得分率: score over the (rescaled) weight, in percent."""
        weight = self.effective_weight if self.effective_weight is not None else self.weight
        if self.score is None or not weight:
            return None
        return self.score / weight * 100


class SelfEvaluationEvent(TimelineEvent):
    """Immutable record of each change to a self-evaluation: edit, recompute, check, export, import (the platform's
    one event shape, ``TimelineEvent``)."""

    timeline = "self-evaluation"

    evaluation = models.ForeignKey(SelfEvaluation, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(_("from status"), max_length=10, blank=True)
    to_status = models.CharField(_("to status"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("self-evaluation event")
        verbose_name_plural = _("self-evaluation events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.evaluation} {self.action}"


class RefreshStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class PlatformRefresh(models.Model):
    """One recomputation of a self-evaluation's platform-bound figures and score (从平台重新取数) by a Celery worker:
    asked for on the finance page (``requested_by``) or by the nightly run (none; ``key`` = ``nightly:<date>``, so a
    second run that night finds it). At most one is queued or running per self-evaluation: a second click answers
    the first. ``result`` is the findings diff the event records."""

    evaluation = models.ForeignKey(
        SelfEvaluation, verbose_name=_("self-evaluation"), on_delete=models.CASCADE, related_name="refreshes"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    key = models.CharField(_("key"), max_length=40)
    status = models.CharField(_("status"), max_length=10, choices=RefreshStatus.choices, default=RefreshStatus.QUEUED)
    steps_total = models.PositiveIntegerField(_("figures to fetch"), default=0)
    steps_done = models.PositiveIntegerField(_("figures fetched"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recomputation from the platform")
        verbose_name_plural = _("recomputations from the platform")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "key"], name="selfeval_refresh_key_unique"),
            models.UniqueConstraint(
                fields=["evaluation"],
                condition=models.Q(status__in=["queued", "running"]),
                name="selfeval_refresh_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.key} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (RefreshStatus.DONE, RefreshStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == RefreshStatus.DONE:
            return 100
        if not self.steps_total:
            return 0
        return min(99, int(100 * self.steps_done / self.steps_total))
