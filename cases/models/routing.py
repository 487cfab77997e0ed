"""Where a registered case should go (派遣建议): editable routing data for ``cases.suggest``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class StreetOffice(models.Model):
    """Which department answers for a street/town (街道办/镇政府): used by the street-office dispatch rule."""

    street_code = models.CharField(_("street code"), max_length=9, unique=True)
    department = models.ForeignKey("core.Department", verbose_name=_("department"), on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("street office")
        verbose_name_plural = _("street offices")
        ordering = ["street_code"]

    def __str__(self) -> str:
        return f"{self.street_code} → {self.department}"


class DispatchRuleKind(models.TextChoices):
    FIXED = "fixed", _("Fixed department")  # 指定部门 (e.g. a class in one street goes to a given unit)
    CONDITION_DEFAULT = "condition_default", _("Default department of the filing condition")  # 立案条件默认部门
    COMPONENT_MAINTAINER = "component_maintainer", _("Maintainer of the component")  # 部件养护单位
    STREET_OFFICE = "street_office", _("Street office of the case's street")  # 属地街道


class DispatchRule(models.Model):
    """One rule of the dispatch suggestion. Rules are tried by ascending priority; the first that applies to the
    case (its class and region filters match) and yields an active department wins."""

    priority = models.PositiveSmallIntegerField(_("priority"), help_text=_("Lower numbers are tried first."))
    kind = models.CharField(_("kind"), max_length=24, choices=DispatchRuleKind.choices)
    minor_class = models.ForeignKey(
        "grids.MinorClass",
        verbose_name=_("class"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Only cases of this class (empty: every class)."),
    )
    region_code = models.CharField(
        _("region code"),
        max_length=15,
        blank=True,
        help_text=_("Only cases whose grid code starts with this district, street or community code (empty: all)."),
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("The department a fixed rule suggests."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("dispatch rule")
        verbose_name_plural = _("dispatch rules")
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return f"{self.priority}. {self.get_kind_display()}"

    def clean(self) -> None:
        if self.kind == DispatchRuleKind.FIXED and not self.department_id:
            raise ValidationError({"department": _("A fixed rule needs a department.")})
        if self.kind != DispatchRuleKind.FIXED and self.department_id:
            raise ValidationError({"department": _("Only a fixed rule names a department.")})
        if self.region_code and (not self.region_code.isdigit() or len(self.region_code) not in (6, 9, 12, 15)):
            raise ValidationError({"region_code": _("A region code has 6, 9, 12 or 15 digits.")})
