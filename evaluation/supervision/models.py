"""Supervision of the collectors and their company (督察与采集公司考核).

- ``InspectionRecord`` (督察记录): an inspection team's spot check of one collector — a problem missed in their grid,
  a false or duplicate report, absence — with evidence photos (``InspectionPhoto``) and a deduction. A record is
  final once written: it is corrected by a *reversing* record (``reverses``, the opposite deduction) or by an
  administrator with a reason (``InspectionCorrection``, kept for good; ``services.correct_record``).
- ``CollectorProfile``: who a collector is — full-time (专职) or part-time from their home department (环卫/园林/
  市政/执法) — and since when.
- ``Training`` and ``TrainingAttendance`` (培训记录): a session's attendees and whether each passed.
- ``AssessmentItem``, ``Assessment``, ``AssessmentLine``, ``AssessmentEvent`` (采集公司月度考核): the template of
  items and weights, one month's assessment (draft → confirmed, then frozen), its lines and its timeline.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimelineEvent


class FinalRecordError(Exception):
    """An inspection record, a correction or a confirmed assessment never changes in place."""


# ---- Inspection records (督察记录) --------------------------------------------------------------------------------


class InspectionKind(models.TextChoices):
    MISSED = "missed", _("Missed problem in their grid")  # 漏报
    FALSE = "false", _("False report")  # 虚报
    DUPLICATE = "duplicate", _("Duplicate report")  # 重复上报
    ABSENCE = "absence", _("Absence from duty")  # 脱岗
    OTHER = "other", _("Other")


class InspectionRecord(models.Model):
    inspected_on = models.DateField(_("date"), db_index=True)
    team = models.CharField(_("inspection team"), max_length=50)  # e.g. 第一督察组
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+"
    )
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("collector inspected"),
        on_delete=models.PROTECT,
        related_name="inspection_records",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=InspectionKind.choices)
    grid_code = models.CharField(_("unit grid code"), max_length=20, blank=True)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("description"))
    deduction = models.DecimalField(_("deduction (points)"), max_digits=6, decimal_places=2)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # The submitting device's id of the record (the API): a repeated submission answers with the record made.
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("inspection record")
        verbose_name_plural = _("inspection records")
        ordering = ["-inspected_on", "-id"]
        permissions = [("inspect_collectors", _("Can record inspections of collectors"))]

    def __str__(self) -> str:
        return f"{self.inspected_on} {self.team} {self.get_kind_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not getattr(self, "_correcting", False):
            raise FinalRecordError("an inspection record is corrected by a reversing record or an admin's correction")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FinalRecordError("inspection records are kept")


class InspectionPhoto(models.Model):
    record = models.ForeignKey(InspectionRecord, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(_("image"), upload_to="inspections/%Y/%m/", db_index=True)
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")

    def __str__(self) -> str:
        return self.image.name


class InspectionCorrection(TimelineEvent):
    """An administrator's correction of a record: the values before and after (``data``) and the reason."""

    timeline = "inspection"

    record = models.ForeignKey(InspectionRecord, on_delete=models.PROTECT, related_name="corrections")
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("inspection correction")
        verbose_name_plural = _("inspection corrections")
        ordering = ["record", "at", "id"]


# ---- Collectors as people ----------------------------------------------------------------------------------------


class HomeDepartment(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time collector")  # 专职
    SANITATION = "sanitation", _("Sanitation")  # 环卫
    GARDENS = "gardens", _("Gardens")  # 园林
    MUNICIPAL = "municipal", _("Municipal works")  # 市政
    ENFORCEMENT = "enforcement", _("Law enforcement")  # 执法


class CollectorProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("collector"), on_delete=models.CASCADE, related_name="collector"
    )
    home = models.CharField(
        _("home department"), max_length=12, choices=HomeDepartment.choices, default=HomeDepartment.FULL_TIME
    )
    started_on = models.DateField(_("start date"), null=True, blank=True)

    class Meta:
        verbose_name = _("collector profile")
        verbose_name_plural = _("collector profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_home_display()})"

    @property
    def is_part_time(self) -> bool:
        return self.home != HomeDepartment.FULL_TIME


# ---- Training (培训) -------------------------------------------------------------------------------------------


class Training(models.Model):
    held_on = models.DateField(_("date"), db_index=True)
    topic = models.CharField(_("topic"), max_length=200)
    trainer = models.CharField(_("trainer"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)  # as on InspectionRecord

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class TrainingAttendance(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="attendances")
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("collector"), on_delete=models.PROTECT, related_name="trainings"
    )
    passed = models.BooleanField(_("passed"))

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendances")
        constraints = [models.UniqueConstraint(fields=["training", "collector"], name="training_attendee_once")]

    def __str__(self) -> str:
        return f"{self.training} {self.collector}"


# ---- The company's monthly assessment (采集公司月度考核) ------------------------------------------------------------


class ItemSource(models.TextChoices):
    VALID_REPORT_RATE = "valid_report_rate", _("Valid report rate (platform)")
    MISSED_REPORT_RATE = "missed_report_rate", _("Missed report rate (inspection records)")
    PRESENCE_RATE = "presence_rate", _("Presence rate (patrol tracks)")
    VERIFY_TIMELINESS = "verify_timeliness", _("On-time verification rate (platform)")
    CHECK_TIMELINESS = "check_timeliness", _("On-time check rate (platform)")
    MANUAL = "manual", _("Entered by hand")


class AssessmentItem(models.Model):
    """One item of the assessment form. A platform item's value is a rate 0–100; it earns full marks at or beyond
    ``target`` (at or below, when lower is better) and loses ``weight × shortfall / target`` below it (for lower
    is better: ``weight × excess / (100 − target)``). A manual item's value is the score itself (0–weight)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(_("source"), max_length=20, choices=ItemSource.choices, default=ItemSource.MANUAL)
    weight = models.DecimalField(
        _("weight (points)"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    target = models.DecimalField(_("target (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    lower_is_better = models.BooleanField(_("lower is better"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")


class Assessment(models.Model):
    month = models.DateField(_("month"), unique=True)  # the first day of the month
    company = models.CharField(_("company"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("company assessment")
        verbose_name_plural = _("company assessments")
        ordering = ["-month"]
        permissions = [("assess_company", _("Can assess the collection company"))]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.company}"

    @property
    def is_confirmed(self) -> bool:
        return self.status == AssessmentStatus.CONFIRMED


class AssessmentLine(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(AssessmentItem, on_delete=models.PROTECT, related_name="+")
    # Copied from the item when the line is made, so a later change of the template leaves past months alone.
    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(_("source"), max_length=20, choices=ItemSource.choices)
    weight = models.DecimalField(_("weight (points)"), max_digits=5, decimal_places=2)
    target = models.DecimalField(_("target (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    lower_is_better = models.BooleanField(_("lower is better"), default=False)
    platform_value = models.DecimalField(_("platform value"), max_digits=7, decimal_places=2, null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=7, decimal_places=2, null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("assessment line")
        verbose_name_plural = _("assessment lines")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="assessment_item_once")]

    def __str__(self) -> str:
        return f"{self.assessment} {self.name}"

    @property
    def is_overridden(self) -> bool:
        return self.source != ItemSource.MANUAL and self.value != self.platform_value


class AssessmentEvent(TimelineEvent):
    timeline = "assessment"

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(_("from status"), max_length=10, blank=True)
    to_status = models.CharField(_("to status"), max_length=10)

    class Meta:
        verbose_name = _("assessment event")
        verbose_name_plural = _("assessment events")
        ordering = ["assessment", "at", "id"]
