"""Administrative regions, unit grids (万米单元网格) and duty grids (责任网格)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.core.exceptions import ValidationError
from django.db.models import Func, Q, Value
from django.utils.translation import gettext_lazy as _

from grids.choices import REGION_CODE_LENGTH, RegionLevel


class Region(models.Model):
    """District/county (6 digits, GB/T 2260) → street/town (+3) → community/village (+3)."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    boundary = models.MultiPolygonField(_("boundary"), srid=4326, null=True, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        expected = REGION_CODE_LENGTH.get(self.level)
        if expected and (len(self.code) != expected or not self.code.isdigit()):
            raise ValidationError(
                {"code": _("A %(level)s code has %(n)s digits.") % {"level": self.get_level_display(), "n": expected}}
            )
        if self.level == RegionLevel.DISTRICT:
            if self.parent_id:
                raise ValidationError({"parent": _("A district has no parent region.")})
            return
        if self.parent is None:
            raise ValidationError({"parent": _("A street belongs to a district and a community to a street.")})
        wanted_parent = {RegionLevel.STREET: RegionLevel.DISTRICT, RegionLevel.COMMUNITY: RegionLevel.STREET}[
            self.level
        ]
        if self.parent.level != wanted_parent:
            raise ValidationError({"parent": _("The parent region is at the wrong level.")})
        if not self.code.startswith(self.parent.code):
            raise ValidationError(
                {"code": _("The code must start with the parent region's code %(code)s.") % {"code": self.parent.code}}
            )


class UnitGrid(models.Model):
    """万米单元网格: 15 characters = 12-digit community code + 3-digit serial.

    Grids are re-drawn from time to time: a grid row is valid from ``valid_from`` until ``valid_to`` (open when
    current), and the same code may recur with a new geometry. Current grids tile the managed area without gaps or
    overlaps; a case keeps the code that was valid when it was reported."""

    code = models.CharField(_("grid code"), max_length=15, db_index=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    community = models.ForeignKey(
        Region,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"level": RegionLevel.COMMUNITY},
    )
    geometry = models.MultiPolygonField(_("geometry"), srid=4326)
    area_m2 = models.FloatField(_("area (m²)"), editable=False, default=0)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # Web Mercator, kept by PostgreSQL: the base-map tiles draw the grid outlines from it (grids/basemap/tiles.py).
    mercator = models.GeneratedField(
        expression=Func(
            "geometry", Value(3857), function="ST_Transform", output_field=models.MultiPolygonField(srid=3857)
        ),
        output_field=models.MultiPolygonField(srid=3857),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("unit grid")
        verbose_name_plural = _("unit grids")
        ordering = ["code", "-valid_from"]
        indexes = [GistIndex(fields=["mercator"], condition=Q(valid_to__isnull=True), name="grid_current_mercator")]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="grid_unique_code_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="grid_one_current_version"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")), name="grid_valid_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    def clean(self) -> None:
        if len(self.code) != 15 or not self.code.isdigit():
            raise ValidationError({"code": _("A unit grid code has 15 digits.")})
        if self.community_id and not self.code.startswith(self.community.code):
            raise ValidationError(
                {
                    "code": _("The grid code must start with its community's code %(code)s.")
                    % {"code": self.community.code}
                }
            )

    def save(self, *args, **kwargs) -> None:
        # Area on the spheroid, whatever the geometry's degrees: never converted by hand.
        if self.geometry is not None:
            from grids.spatial import geodesic_area_m2

            self.area_m2 = geodesic_area_m2(self.geometry)
        super().save(*args, **kwargs)


class DutyGrid(models.Model):
    """责任网格: a patrol beat, a set of unit grids with the collectors assigned to it."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    unit_grids = models.ManyToManyField(UnitGrid, verbose_name=_("unit grids"), related_name="duty_grids", blank=True)
    collectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("collectors"), related_name="duty_grids", blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("duty grid")
        verbose_name_plural = _("duty grids")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
