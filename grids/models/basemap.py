"""底图图层: the city's own survey data drawn under every map — roads, building footprints, water, green space and
place labels — so that a command centre on an intranet has a base map without an internet tile server.

Each layer keeps what was surveyed in WGS84 (``geometry``, as everything else in the platform) and its Web-Mercator
projection as a stored generated column with its own GiST index (``mercator``): vector tiles are cut in Web
Mercator, and reading a projected geometry beats projecting every building on every request.
"""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Func, Value
from django.utils.translation import gettext_lazy as _

from grids.basemap.choices import GreenKind, PlaceKind, RoadClass, WaterKind


def _mercator(geometry_field: models.GeometryField) -> models.GeneratedField:
    """``geometry`` in Web Mercator (EPSG:3857), computed and stored by PostgreSQL."""
    output = type(geometry_field)(srid=3857)
    return models.GeneratedField(
        expression=Func("geometry", Value(3857), function="ST_Transform", output_field=output),
        output_field=type(geometry_field)(srid=3857),
        db_persist=True,
    )


class BaseLayerFeature(models.Model):
    """What every base-layer feature has: a name (may be empty) and the file it came from."""

    name = models.CharField(_("name"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=120, blank=True, help_text=_("File or generator it came from"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"


class Road(BaseLayerFeature):
    """道路: a centre line with its name and class (快速路/主干路/次干路/支路/街巷)."""

    road_class = models.CharField(_("road class"), max_length=12, choices=RoadClass.choices, db_index=True)
    geometry = models.MultiLineStringField(_("geometry"), srid=4326)
    mercator = _mercator(models.MultiLineStringField(srid=4326))

    class Meta:
        verbose_name = _("road")
        verbose_name_plural = _("roads")
        ordering = ["name", "id"]
        indexes = [GistIndex(fields=["mercator"], name="basemap_road_mercator")]


class Building(BaseLayerFeature):
    """建筑物: a footprint, with its name and number of floors when surveyed."""

    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    geometry = models.MultiPolygonField(_("geometry"), srid=4326)
    mercator = _mercator(models.MultiPolygonField(srid=4326))

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["id"]
        indexes = [GistIndex(fields=["mercator"], name="basemap_building_mercator")]


class Water(BaseLayerFeature):
    """水系: a river, lake or pond (polygon) or a narrow stream or canal (line)."""

    kind = models.CharField(_("kind"), max_length=10, choices=WaterKind.choices, default=WaterKind.RIVER)
    geometry = models.GeometryField(_("geometry"), srid=4326)
    mercator = _mercator(models.GeometryField(srid=4326))

    class Meta:
        verbose_name = _("water")
        verbose_name_plural = _("water")
        ordering = ["name", "id"]
        indexes = [GistIndex(fields=["mercator"], name="basemap_water_mercator")]


class GreenSpace(BaseLayerFeature):
    """绿地: parks, green belts and squares."""

    kind = models.CharField(_("kind"), max_length=10, choices=GreenKind.choices, default=GreenKind.PARK)
    geometry = models.MultiPolygonField(_("geometry"), srid=4326)
    mercator = _mercator(models.MultiPolygonField(srid=4326))

    class Meta:
        verbose_name = _("green space")
        verbose_name_plural = _("green spaces")
        ordering = ["name", "id"]
        indexes = [GistIndex(fields=["mercator"], name="basemap_green_mercator")]


class PlaceLabel(BaseLayerFeature):
    """地名注记: a name written on the map at a point (street, community, landmark)."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=PlaceKind.choices, default=PlaceKind.LANDMARK)
    geometry = models.PointField(_("geometry"), srid=4326)
    mercator = _mercator(models.PointField(srid=4326))

    class Meta:
        verbose_name = _("place label")
        verbose_name_plural = _("place labels")
        ordering = ["kind", "name"]
        indexes = [GistIndex(fields=["mercator"], name="basemap_label_mercator")]
