"""Console pages of the base map (基础地图): the map page and the attribute look-up behind a component click.

The page itself draws nothing from the database but the class filter: unit grids come from the grid GeoJSON API
per view bbox, components from the vector tiles, so the browser never holds the city's 320,000 components.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.models import Department
from grids import tiles
from grids.choices import COMPONENT_ATTRIBUTE_LABELS, ClassKind, ComponentStatus
from grids.models import Component, MinorClass

# Below GRID_MIN_ZOOM a view holds thousands of grids: the page asks the user to zoom in instead of fetching them.
GRID_MIN_ZOOM = 11
# Below COMPONENT_MIN_ZOOM only grids are drawn; vector tiles of components are requested from this zoom on.
COMPONENT_MIN_ZOOM = 14

# Colour of each component status on the map and in the legend: intact is quiet, faults stand out.
STATUS_COLOURS: dict[str, str] = {
    ComponentStatus.INTACT: "#1a7f37",
    ComponentStatus.DAMAGED: "#d97706",
    ComponentStatus.LOST: "#c53030",
    ComponentStatus.ABANDONED: "#6b7280",
    ComponentStatus.REMOVED: "#9ca3af",
    ComponentStatus.OCCUPIED: "#7c3aed",
}


def component_class_tree() -> list[dict[str, Any]]:
    """Major classes (大类) with their active component minor classes (小类), for the class filter. One query."""
    majors: dict[int, dict[str, Any]] = {}
    minors = (
        MinorClass.objects.filter(kind=ClassKind.COMPONENT, is_active=True)
        .select_related("major", "standard")
        .order_by("-standard__is_default", "standard__code", "major__code", "code")
    )
    for minor in minors:
        major = majors.setdefault(
            minor.major_id,
            {
                "code": minor.major.code,
                "name": minor.major.name,
                "standard": minor.standard.name,
                "minors": [],
            },
        )
        major["minors"].append({"code": minor.code, "name": minor.name})
    return list(majors.values())


def _heat_url() -> str:
    try:
        return reverse("heat-tile", args=[1, 2, 3]).replace("/1/2/3.pbf", "/{z}/{x}/{y}.pbf")
    except NoReverseMatch:  # the evaluation layer is not installed
        return ""


@login_required
@permission_required("grids.view_unitgrid", raise_exception=True)
@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    """基础地图: unit grids, components by class and status, attributes on click."""
    config = {
        "gridsUrl": reverse("grid-geojson"),
        "tilesUrl": reverse("component-tile", args=[1, 2, 3]).replace("/1/2/3.pbf", "/{z}/{x}/{y}.pbf"),
        "tileLayer": tiles.LAYER,
        "componentUrl": reverse("grids:component_attributes", args=[0]).replace("/0/", "/{id}/"),
        "gridMinZoom": GRID_MIN_ZOOM,
        "componentMinZoom": COMPONENT_MIN_ZOOM,
        "fullDetailZoom": tiles.FULL_DETAIL_ZOOM,
        "canViewComponents": request.user.has_perm("grids.view_component"),
        # 热点分析 (evaluation layer, named by string): the heat layer toggle, for those who may see hotspots.
        "heatUrl": _heat_url() if request.user.has_perm("evaluation.view_hotspots") else "",
        "statuses": [
            {"value": value, "label": str(label), "colour": STATUS_COLOURS[value]}
            for value, label in ComponentStatus.choices
        ],
        "classes": component_class_tree(),
        "text": {
            "zoomForGrids": _("Zoom in to see unit grids."),
            "zoomForComponents": _("Zoom in to level %(zoom)s to see components.") % {"zoom": COMPONENT_MIN_ZOOM},
            "clusters": _(
                "Below level %(zoom)s a cyan dot stands for several nearby components: zoom in to see each one."
            )
            % {"zoom": tiles.FULL_DETAIL_ZOOM},
            "gridsShown": _("Unit grids shown:"),
            "loadFailed": _("Could not load the map data. Please try again."),
            "noComponentAccess": _("Your role may not view components."),
            "noComponent": _("This component no longer exists."),
        },
    }
    return render(request, "grids/map.html", {"map_config": config})


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


@login_required
@permission_required("grids.view_component", raise_exception=True)
@require_GET
def component_attributes(request: HttpRequest, pk: int) -> JsonResponse:
    """部件属性: what the map shows when a component is clicked, as labelled rows in the user's language."""
    component = get_object_or_404(
        Component.objects.select_related("minor_class__major", "grid", "supervising_department", "owner", "maintainer"),
        pk=pk,
    )
    minor = component.minor_class
    grid = component.grid

    def department(value: Department | None) -> str:
        return value.name if value else ""

    rows = [
        (_("Identifier"), component.identifier),
        (_("Class"), f"{minor.code} {minor.name}"),
        (_("Major class"), f"{minor.major.code} {minor.major.name}"),
        (_("Name"), component.name),
        (_("Status"), component.get_status_display()),
        (_("Supervising department"), department(component.supervising_department)),
        (_("Owner"), department(component.owner)),
        (_("Maintainer"), department(component.maintainer)),
        (_("Unit grid"), f"{grid.code} {grid.name}".strip() if grid else ""),
        (_("Initial census date"), _date(component.census_date)),
        (_("Change date"), _date(component.changed_date)),
        (_("Data source"), component.get_data_source_display()),
        (_("Note"), component.note),
    ]
    # Other attributes come from the inventory as they were surveyed: known keys in the user's language, the others
    # under their own keys.
    rows += [
        (COMPONENT_ATTRIBUTE_LABELS.get(str(key), str(key)), "" if value is None else str(value))
        for key, value in sorted(component.extra.items())
    ]
    return JsonResponse(
        {
            "id": component.pk,
            "identifier": component.identifier,
            "class_code": minor.code,
            "class_name": minor.name,
            "status": component.status,
            "status_label": component.get_status_display(),
            "colour": STATUS_COLOURS.get(component.status, "#333333"),
            "lng": component.location.x,
            "lat": component.location.y,
            "rows": [{"label": label, "value": value} for label, value in rows],
        }
    )
