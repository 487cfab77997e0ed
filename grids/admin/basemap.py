"""Admin of the base layers (底图图层) on Leaflet maps, each with its "import from file" page (GeoJSON or a zipped
Shapefile; the file replaces the layer; big files go to an import job). An edit of one feature is seen in the next
tile at once: it moves the base map's version on (``DrawnOnBaseMapMixin``)."""

from __future__ import annotations

from functools import partial

from django.contrib import admin
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from grids.admin.spatial import DrawnOnBaseMapMixin, ImportAdminMixin
from grids.basemap.loader import import_base_layer
from grids.models import Building, GreenSpace, PlaceLabel, Road, Water

_FILES = _("GeoJSON, or a Shapefile zipped with its .dbf, .shx and .prj. The file replaces the whole layer.")


def _help(attributes):
    return format_lazy("{} {}", _FILES, attributes)


class BaseLayerAdmin(DrawnOnBaseMapMixin, ImportAdminMixin, LeafletGeoAdmin):
    search_fields = ["name"]
    show_full_result_count = False  # a city has a hundred thousand buildings: no second COUNT(*) per page
    import_suffixes = (".geojson", ".json", ".zip")


@admin.register(Road)
class RoadAdmin(BaseLayerAdmin):
    list_display = ["name", "road_class", "source"]
    list_filter = ["road_class"]
    import_loader = partial(import_base_layer, "roads")
    import_job_kind = "base_roads"
    import_columns_help = _help(
        _("Attributes: name, class (快速路/主干路/次干路/支路/街巷 or expressway/arterial/secondary/branch/lane).")
    )


@admin.register(Building)
class BuildingAdmin(BaseLayerAdmin):
    list_display = ["id", "name", "floors", "source"]
    import_loader = partial(import_base_layer, "buildings")
    import_job_kind = "base_buildings"
    import_columns_help = _help(_("Attributes: name, floors (层数). Polygons."))


@admin.register(Water)
class WaterAdmin(BaseLayerAdmin):
    list_display = ["name", "kind", "source"]
    list_filter = ["kind"]
    import_loader = partial(import_base_layer, "water")
    import_job_kind = "base_water"
    import_columns_help = _help(
        _("Attributes: name, kind (河流/湖泊/坑塘/沟渠 or river/lake/pond/canal). Polygons or lines.")
    )


@admin.register(GreenSpace)
class GreenSpaceAdmin(BaseLayerAdmin):
    list_display = ["name", "kind", "source"]
    list_filter = ["kind"]
    import_loader = partial(import_base_layer, "green")
    import_job_kind = "base_green"
    import_columns_help = _help(_("Attributes: name, kind (公园/绿地/广场 or park/green/square). Polygons."))


@admin.register(PlaceLabel)
class PlaceLabelAdmin(BaseLayerAdmin):
    list_display = ["name", "kind", "source"]
    list_filter = ["kind"]
    import_loader = partial(import_base_layer, "labels")
    import_job_kind = "base_labels"
    import_columns_help = _help(
        _("Attributes: name (required), kind (区县/街道/社区/地标 or district/street/community/landmark). Points.")
    )
