"""The national class-code tables (docs/domain.md §2): standards, major and minor classes, filing conditions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import TimeUnit
from grids.choices import ClassKind, Urgency


class ClassificationStandard(models.Model):
    """A generation of class codes: GB/T 47678.5-2026 (default), CJ/T 214-2007 (legacy), or a local extension."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(_("default standard"), default=False)
    is_local = models.BooleanField(_("local extension"), default=False)

    class Meta:
        verbose_name = _("classification standard")
        verbose_name_plural = _("classification standards")
        ordering = ["-is_default", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_standard"
            )
        ]

    def __str__(self) -> str:
        return self.name


class MajorClass(models.Model):
    """大类: e.g. 01 市政公用设施 (components) or 06 市容环境类 (events/matters)."""

    standard = models.ForeignKey(
        ClassificationStandard,
        verbose_name=_("classification standard"),
        on_delete=models.CASCADE,
        related_name="major_classes",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ClassKind.choices)
    code = models.CharField(_("code"), max_length=2)
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("major class")
        verbose_name_plural = _("major classes")
        ordering = ["standard", "kind", "code"]
        constraints = [models.UniqueConstraint(fields=["standard", "kind", "code"], name="major_class_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MinorClass(models.Model):
    """小类: the class a case or a component belongs to (5 digits in 2026, 4 in 2007-era tables)."""

    standard = models.ForeignKey(
        ClassificationStandard,
        verbose_name=_("classification standard"),
        on_delete=models.CASCADE,
        related_name="minor_classes",
    )
    major = models.ForeignKey(
        MajorClass, verbose_name=_("major class"), on_delete=models.CASCADE, related_name="minor_classes"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ClassKind.choices, db_index=True)
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("minor class")
        verbose_name_plural = _("minor classes")
        ordering = ["standard", "kind", "code"]
        constraints = [models.UniqueConstraint(fields=["standard", "kind", "code"], name="minor_class_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.major_id and (self.major.standard_id != self.standard_id or self.major.kind != self.kind):
            raise ValidationError({"major": _("The major class belongs to another standard or kind.")})
        if self.major_id and not self.code.startswith(self.major.code):
            raise ValidationError({"code": _("A minor class code starts with its major class code.")})


class ClassMapping(models.Model):
    """The same thing under two standards (暴露垃圾: 0102 in 2007-era lists, 06010 in 2026)."""

    source = models.ForeignKey(
        MinorClass, verbose_name=_("source class"), on_delete=models.CASCADE, related_name="mappings_out"
    )
    target = models.ForeignKey(
        MinorClass, verbose_name=_("target class"), on_delete=models.CASCADE, related_name="mappings_in"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("class mapping")
        verbose_name_plural = _("class mappings")
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="class_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class FilingCondition(models.Model):
    """立案条件 under a minor class: what must be true to register a case, its disposal limit and closing condition."""

    minor_class = models.ForeignKey(
        MinorClass, verbose_name=_("minor class"), on_delete=models.CASCADE, related_name="conditions"
    )
    code = models.CharField(_("code"), max_length=16)
    description = models.CharField(_("filing condition"), max_length=300)
    limit_value = models.DecimalField(_("disposal time limit"), max_digits=7, decimal_places=2)
    limit_unit = models.CharField(_("time unit"), max_length=20, choices=TimeUnit.choices, default=TimeUnit.WORK_HOURS)
    closing_condition = models.CharField(_("closing condition"), max_length=300, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    default_department = models.ForeignKey(
        "core.Department",
        verbose_name=_("default department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="default_conditions",
    )
    requires_after_photo = models.BooleanField(
        _("after-photo required"),
        default=False,
        help_text=_("Disposal is accepted only with a photo taken after it (处置后照片)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("filing condition")
        verbose_name_plural = _("filing conditions")
        ordering = ["minor_class", "code"]
        constraints = [models.UniqueConstraint(fields=["minor_class", "code"], name="condition_unique_code")]

    def __str__(self) -> str:
        return f"{self.minor_class.code}-{self.code} {self.description}"

    def clean(self) -> None:
        if self.limit_value is not None and self.limit_value <= 0:
            raise ValidationError({"limit_value": _("A time limit must be positive.")})
