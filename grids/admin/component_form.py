"""The component's admin form: the surveyed attributes (``extra``) as a key/value table with the map's Chinese labels
for the known keys, instead of raw JSON; the geometry only on the Leaflet map, its point (``location``) following it."""

from __future__ import annotations

import json

from django import forms
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from grids.choices import COMPONENT_ATTRIBUTE_LABELS
from grids.models import Component

BLANK_ROWS = 3  # empty rows for new attributes: the page runs no script that could add rows on demand
KEY_MAX_LENGTH = 50


def as_text(value) -> str:
    """How a stored value shows in its text box: strings as they are, numbers plainly, anything nested as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


class AttributesWidget(forms.Widget):
    """Rows of (key, value) text boxes posted as two parallel lists, ``<name>_key`` and ``<name>_value``. A known key
    shows its Chinese label and travels in a hidden input; an unknown key stays editable as it was surveyed."""

    template_name = "admin/grids/attributes_widget.html"

    def pairs(self, value) -> list[tuple[str, str]]:
        """(key, text) rows: from the stored dict, or as posted when the form comes back with an error."""
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                value = {}
        if isinstance(value, dict):
            return [(str(key), as_text(item)) for key, item in value.items()]
        return [(key, text) for key, text in value or [] if key or text]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = [
            {"key": key, "label": COMPONENT_ATTRIBUTE_LABELS.get(key), "value": text} for key, text in self.pairs(value)
        ]
        rows += [{"key": "", "label": None, "value": ""}] * BLANK_ROWS
        context["widget"].update(rows=rows, known=sorted(COMPONENT_ATTRIBUTE_LABELS.items()))
        return context

    def value_from_datadict(self, data, files, name):
        keys, values = data.getlist(f"{name}_key"), data.getlist(f"{name}_value")
        return list(zip(keys, values, strict=False))

    def value_omitted_from_data(self, data, files, name):
        return f"{name}_key" not in data


class AttributesField(forms.Field):
    """Turns the posted rows back into the ``extra`` dict. A row whose value is emptied drops its attribute; a value
    left as it was shown keeps its stored type (a number stays a number, nested data stays nested)."""

    widget = AttributesWidget

    def __init__(self, *args, stored: dict | None = None, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.stored = stored or {}

    def prepare_value(self, value):
        return value

    def to_python(self, value) -> dict:
        if isinstance(value, dict):
            return value
        result: dict = {}
        errors = []
        for key, text in value or []:
            key, text = key.strip(), text.strip()
            if not key and not text:
                continue
            if not key:
                errors.append(_("The value “%(value)s” has no attribute name.") % {"value": text})
                continue
            if len(key) > KEY_MAX_LENGTH:
                errors.append(_("The attribute name “%(key)s” is too long.") % {"key": key[:KEY_MAX_LENGTH]})
                continue
            if key in result:
                errors.append(_("The attribute “%(key)s” is given twice.") % {"key": self.label_of(key)})
                continue
            if not text:
                continue
            stored = self.stored.get(key)
            result[key] = stored if key in self.stored and as_text(stored) == text else text
        if errors:
            raise ValidationError(errors)
        return result

    @staticmethod
    def label_of(key: str) -> str:
        return str(COMPONENT_ATTRIBUTE_LABELS.get(key, key))


class ComponentAdminForm(forms.ModelForm):
    class Meta:
        model = Component
        fields = [
            "identifier",
            "minor_class",
            "name",
            "supervising_department",
            "owner",
            "maintainer",
            "grid",
            "status",
            "census_date",
            "changed_date",
            "data_source",
            "note",
            "photo",
            "geometry",
            "extra",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "extra" in self.fields:
            stored = self.instance.extra if isinstance(self.instance.extra, dict) else {}
            old = self.fields["extra"]
            self.fields["extra"] = AttributesField(label=old.label, help_text=old.help_text, stored=stored)

    def clean(self):
        cleaned = super().clean()
        geometry = cleaned.get("geometry")
        if isinstance(geometry, GEOSGeometry):
            # The indexed point the map and the look-ups use: the geometry itself, or a point on a line or polygon
            # (as the importer does with ST_PointOnSurface).
            point = geometry if isinstance(geometry, Point) else geometry.point_on_surface
            point.srid = geometry.srid or 4326
            self.instance.location = point
        return cleaned
