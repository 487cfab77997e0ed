"""``{% console_map "citymap" callback="cityMapInit" %}``: django-leaflet's map, without its inline script.

django-leaflet's ``{% leaflet_map %}`` writes an inline ``<script>``, which the Content-Security-Policy
(script-src 'self') refuses. This tag renders the same container and the same options as JSON data;
static/core/console.js creates every such map with django-leaflet's own ``L.Map.djangoMap`` once the page has
loaded and calls ``window[callback](map)``.
"""

from __future__ import annotations

import json

from django import template
from django.utils.html import format_html, json_script
from leaflet.templatetags.leaflet_tags import leaflet_map

register = template.Library()


@register.simple_tag
def console_map(name: str, callback: str = "") -> str:
    options = json.loads(leaflet_map(name)["djoptions"])
    return format_html(
        '<div id="{}" class="leaflet-container-default" data-leaflet-map="{}"></div>{}',
        name,
        callback,
        json_script(options, f"{name}-options"),
    )
