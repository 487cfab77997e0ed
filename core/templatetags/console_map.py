"""``{% console_map "citymap" callback="cityMapInit" %}``: django-leaflet's map, without its inline script, over
the city base map.

django-leaflet's ``{% leaflet_map %}`` writes an inline ``<script>``, which the Content-Security-Policy
(script-src 'self') refuses. This tag renders the same container and the same options as JSON data;
static/core/console.js creates every such map with django-leaflet's own ``L.Map.djangoMap`` once the page has
loaded, draws the base map on it (``CityBaseMap.addTo``, static/core/base_map.js) and calls ``window[callback](map)``.

``base_map``: ``"light"`` (default), ``"dark"`` (the big screen) or ``"none"``; ``grids=True`` also draws the current
unit-grid outlines from the base tiles.
"""

from __future__ import annotations

import json

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, json_script
from django.utils.translation import gettext as _
from leaflet.templatetags.leaflet_tags import leaflet_map

register = template.Library()


def base_map_options(scheme: str = "light", grids: bool = False) -> dict | None:
    """What ``CityBaseMap.addTo`` needs: the tile URL template, the scheme, grid outlines, the switcher's names."""
    if scheme == "none":
        return None
    try:  # named by string: the tiles belong to the grids layer, above core
        url = reverse("base-tile", args=(0, 0, 0)).replace("/0/0/0.pbf", "/{z}/{x}/{y}.pbf")
    except NoReverseMatch:
        return None
    return {
        "url": url,
        "dark": scheme == "dark",
        "grids": bool(grids),
        "text": {"vector": _("City base map"), "raster": _("Raster base map")},
    }


@register.simple_tag
def console_map(name: str, callback: str = "", base_map: str = "light", grids: bool = False) -> str:
    options = json.loads(leaflet_map(name)["djoptions"])
    base = base_map_options(base_map, grids)
    return format_html(
        '<div id="{}" class="leaflet-container-default" data-leaflet-map="{}" data-base-map="{}"></div>{}',
        name,
        callback,
        json.dumps(base) if base else "",
        json_script(options, f"{name}-options"),
    )
