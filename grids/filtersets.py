"""FilterSets of the base map, shared by the API and the console lists: unit grids and components.

``bbox=minlng,minlat,maxlng,maxlat`` keeps rows whose geometry (grids) or location (components) meets the box;
a malformed box is a form error on ``bbox``, which the API turns into a 400 naming it.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.gis.geos import Polygon
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from grids.choices import ComponentStatus
from grids.models import Component, UnitGrid
from grids.spatial import BBox, parse_bbox


class BBoxField(forms.CharField):
    """``minlng,minlat,maxlng,maxlat`` → a tuple of four floats."""

    def clean(self, value: str | None) -> BBox | None:
        value = super().clean(value)
        if not value:
            return None
        try:
            return parse_bbox(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="bbox") from None


@extend_schema_field(OpenApiTypes.STR)
class BBoxFilter(django_filters.Filter):
    """Rows whose geometry's bounding box overlaps the box (GiST index: ``&&``)."""

    field_class = BBoxField

    def filter(self, qs: QuerySet, value: BBox | None) -> QuerySet:
        if not value:
            return qs
        box = Polygon.from_bbox(value)
        box.srid = 4326
        return qs.filter(**{f"{self.field_name}__bboverlaps": box})


class CommaListFilter(django_filters.Filter):
    """``a,b,c`` → ``field__in``; empty means no filter."""

    def filter(self, qs: QuerySet, value: str | None) -> QuerySet:
        items = [v.strip() for v in (value or "").split(",") if v.strip()]
        return qs.filter(**{f"{self.field_name}__in": items}) if items else qs


class UnitGridFilterSet(django_filters.FilterSet):
    bbox = BBoxFilter(field_name="geometry", label=_("Bounding box (minlng,minlat,maxlng,maxlat)"))
    community = django_filters.CharFilter(field_name="community__code", label=_("Community code"))
    street = django_filters.CharFilter(field_name="community__parent__code", label=_("Street code"))
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = UnitGrid
        fields = ["bbox", "community", "street", "q"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(code__startswith=value) | Q(name__icontains=value))


class ComponentFilterSet(django_filters.FilterSet):
    bbox = BBoxFilter(field_name="location", label=_("Bounding box (minlng,minlat,maxlng,maxlat)"))
    class_code = CommaListFilter(field_name="minor_class__code", label=_("Class codes (comma-separated)"))
    status = django_filters.MultipleChoiceFilter(choices=ComponentStatus.choices, label=_("Status"))
    grid = django_filters.CharFilter(field_name="grid__code", label=_("Unit grid code"))
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Component
        fields = ["bbox", "class_code", "status", "grid", "q"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(identifier__startswith=value) | Q(name__icontains=value))
