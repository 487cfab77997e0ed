"""The component's admin change form: the other attributes as a key/value table with Chinese labels for the known
keys (the map's own labels), the geometry on the Leaflet map only, no raw JSON or WKT; saving validates and keeps
the keys it does not know."""

from __future__ import annotations

import re

import pytest
from django.contrib.gis.geos import LineString, Point
from django.urls import reverse

from grids.choices import COMPONENT_ATTRIBUTE_LABELS
from grids.models import Component
from tests.grids.conftest import centre

pytestmark = pytest.mark.django_db

IDENTIFIER = "5001200101000001"  # county 500120, class 0101, serial 1 (legacy 16 digits)


@pytest.fixture
def lamp(city, component_classes):
    lng, lat = centre(0, 0)
    return Component.objects.create(
        identifier=IDENTIFIER,
        minor_class=component_classes["0101"],
        name="路灯",
        geometry=Point(lng, lat, srid=4326),
        location=Point(lng, lat, srid=4326),
        extra={"height_m": 10, "light_source": "LED", "pole_no": "A-17", "survey": {"team": 3}},
    )


@pytest.fixture
def admin_client(client, personas):
    client.force_login(personas["admin"])
    return client


def change_url(component: Component) -> str:
    return reverse("admin:grids_component_change", args=[component.pk])


def form_data(page_body: str) -> dict[str, list[str]]:
    """Every input of the rendered form as the browser would post it (no file, no script)."""
    data: dict[str, list[str]] = {}
    for tag in re.findall(r"<textarea\b[^>]*>.*?</textarea>|<input\b[^>]*>", page_body, re.S):
        name = re.search(r'\bname="([^"]+)"', tag)
        if not name or re.search(r'type="(?:file|submit|checkbox)"', tag):
            continue
        if tag.startswith("<textarea"):
            value = re.search(r">(.*?)</textarea>", tag, re.S).group(1)
        else:
            found = re.search(r'\bvalue="([^"]*)"', tag)
            value = found.group(1) if found else ""
        data.setdefault(name.group(1), []).append(value.replace("&quot;", '"').replace("&amp;", "&"))
    for select, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page_body, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[select] = [chosen.group(1) if chosen else ""]
    return data


def test_attributes_show_as_a_labelled_table_not_json(admin_client, lamp):
    body = admin_client.get(change_url(lamp)).content.decode()
    table = body.split('class="component-attributes"')[1].split("</table>")[0]
    assert str(COMPONENT_ATTRIBUTE_LABELS["height_m"]) == "高度（米）"
    assert "高度（米）" in table and "光源" in table  # the map's labels, in Chinese
    assert 'type="hidden" name="extra_key" value="height_m"' in table  # a known key is not shown raw
    assert 'value="pole_no"' in table  # an unknown key stays editable as surveyed
    assert 'value="{&quot;team&quot;: 3}"' in table  # nested data is one value, as JSON
    assert "&quot;height_m&quot;" not in body  # no raw JSON of the whole field anywhere


def test_geometry_only_on_the_map_and_the_point_as_coordinates(admin_client, lamp):
    body = admin_client.get(change_url(lamp)).content.decode()
    assert "SRID=4326" not in body and "POINT (" not in body  # no WKT
    textareas = re.findall(r"<textarea[^>]*>", body)
    assert textareas and all(" hidden" in t for t in textareas if 'name="geometry"' in t)
    assert [t for t in textareas if 'name="geometry"' in t]
    assert "id_geometry-map" in body  # the Leaflet map
    lng, lat = centre(0, 0)
    assert f"经度 {lng:.6f}，纬度 {lat:.6f}" in body


def test_saving_edits_values_keeps_unknown_keys_and_their_types(admin_client, lamp):
    page = admin_client.get(change_url(lamp)).content.decode()
    data = form_data(page)
    keys, values = data["extra_key"], data["extra_value"]
    values[keys.index("light_source")] = "高压钠灯"
    keys[-1], values[-1] = "species", "香樟"  # a new known attribute, in an empty row
    values[keys.index("pole_no")] = ""  # emptied: removed
    response = admin_client.post(change_url(lamp), {k: v if len(v) > 1 else v[0] for k, v in data.items()})
    assert response.status_code == 302, response.context["adminform"].form.errors
    lamp.refresh_from_db()
    assert lamp.extra == {"height_m": 10, "light_source": "高压钠灯", "survey": {"team": 3}, "species": "香樟"}


def test_saving_still_validates(admin_client, lamp):
    data = form_data(admin_client.get(change_url(lamp)).content.decode())
    data["identifier"] = ["5001200199000001"]  # class 0199 in the identifier, 0101 on the form
    data["extra_key"][-2:] = ["pole_no", ""]  # given twice
    data["extra_value"][-2:] = ["B-1", "无名"]  # and a value without a name
    body = admin_client.post(change_url(lamp), {k: v if len(v) > 1 else v[0] for k, v in data.items()})
    assert body.status_code == 200
    errors = body.context["adminform"].form.errors
    assert "identifier" in errors and len(errors["extra"]) == 2
    table = body.content.decode().split('class="component-attributes"')[1].split("</table>")[0]
    assert 'value="B-1"' in table and 'value="无名"' in table  # what was typed comes back to be corrected
    lamp.refresh_from_db()
    assert lamp.identifier == IDENTIFIER and lamp.extra["pole_no"] == "A-17"


def test_a_new_geometry_moves_the_point_onto_it(admin_client, lamp):
    data = form_data(admin_client.get(change_url(lamp)).content.decode())
    (x0, y0), (x1, y1) = centre(1, 0), centre(2, 0)  # away from the old point
    data["geometry"] = [LineString((x0, y0), (x1, y1), srid=4326).geojson]
    response = admin_client.post(change_url(lamp), {k: v if len(v) > 1 else v[0] for k, v in data.items()})
    assert response.status_code == 302, response.context["adminform"].form.errors
    lamp.refresh_from_db()
    assert lamp.geometry.geom_type == "LineString" and lamp.geometry.distance(lamp.location) < 1e-9
