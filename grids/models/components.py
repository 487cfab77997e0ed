"""管理部件: the physical assets of the city, by the hundred thousand."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import FloatField, Func, Value
from django.utils.translation import gettext_lazy as _

from grids.choices import ComponentStatus, DataSource


def _mercator(axis_function: str) -> models.GeneratedField:
    """A Web-Mercator coordinate of ``location``, computed and stored by PostgreSQL."""
    projected = Func("location", Value(3857), function="ST_Transform")
    return models.GeneratedField(
        expression=Func(projected, function=axis_function, output_field=FloatField()),
        output_field=FloatField(),
        db_persist=True,
    )


class Component(models.Model):
    """One component. Identifier (GB/T 47678.5-2026): 17 digits = 6 county + 5 class + 6 serial; older CJ/T 214-2007
    identifiers have 16 digits = 6 county + 4 class + 6 serial. Both occur in live data.

    ``geometry`` is what was surveyed (mostly points; lines and polygons for e.g. green space); ``location`` is a
    point on it, indexed, and is what look-ups, bbox queries and vector tiles use."""

    identifier = models.CharField(_("identifier"), max_length=17, unique=True)
    # No index of its own: (minor_class, status) below serves every look-up by class, the PROTECT check included.
    minor_class = models.ForeignKey(
        "grids.MinorClass",
        verbose_name=_("class"),
        on_delete=models.PROTECT,
        related_name="components",
        db_index=False,
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    supervising_department = models.ForeignKey(
        "core.Department",
        verbose_name=_("supervising department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_components",
        db_index=False,  # see ``Meta.indexes``
    )
    owner = models.ForeignKey(
        "core.Department",
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_components",
        db_index=False,  # see ``Meta.indexes``
    )
    maintainer = models.ForeignKey(
        "core.Department",
        verbose_name=_("maintainer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="maintained_components",
        db_index=False,  # see ``Meta.indexes``
    )
    grid = models.ForeignKey(
        "grids.UnitGrid",
        verbose_name=_("unit grid"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="components",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ComponentStatus.choices, default=ComponentStatus.INTACT
    )
    census_date = models.DateField(_("initial census date"), null=True, blank=True)
    changed_date = models.DateField(_("change date"), null=True, blank=True)
    data_source = models.CharField(
        _("data source"), max_length=12, choices=DataSource.choices, default=DataSource.SURVEYED
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    photo = models.ImageField(_("photo"), upload_to="components/%Y/%m/", blank=True)
    # Not indexed: every spatial question (look-ups, boxes, tiles, re-gridding) is asked of ``location``.
    geometry = models.GeometryField(_("geometry"), srid=4326, spatial_index=False)
    location = models.PointField(_("location"), srid=4326)
    # Web-Mercator coordinates of ``location``, kept by PostgreSQL itself: map tiles group tens of thousands of
    # points per tile by these, and reading two numbers beats projecting every point on every request.
    mercator_x = _mercator("ST_X")
    mercator_y = _mercator("ST_Y")
    extra = models.JSONField(_("other attributes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        ordering = ["identifier"]
        # Every index is written again when any column of a row changes (re-gridding rewrites every row), so only
        # the ones a query reads: no text-pattern copy of the status, no second index on the class, none on the three
        # departments (no page or API looks components up by department; removing a department sets its references
        # to NULL with a scan of the table for each).
        indexes = [
            models.Index(fields=["minor_class", "status"], name="component_class_status"),
            models.Index(fields=["status"], name="component_status"),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} {self.name}".strip()

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from grids.validators import validate_component_identifier

        if self.identifier and self.minor_class_id:
            try:
                validate_component_identifier(self.identifier, self.minor_class.code)
            except ValidationError as exc:
                raise ValidationError({"identifier": exc.messages}) from exc
