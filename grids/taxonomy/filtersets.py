"""Filters of the taxonomy, shared by the API and the admin-side lists: kind, standard, major class, free text."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from grids.choices import ClassKind
from grids.models import ClassificationStandard, MajorClass, MinorClass


class MinorClassFilterSet(django_filters.FilterSet):
    """``?kind=component|event&standard=<code>&major=<id>&q=<text>``; a bad value is a 400 naming the field."""

    kind = django_filters.ChoiceFilter(choices=ClassKind.choices, label=_("Kind"))
    standard = django_filters.ModelChoiceFilter(
        queryset=ClassificationStandard.objects.all(), to_field_name="code", label=_("Classification standard")
    )
    major = django_filters.ModelChoiceFilter(queryset=MajorClass.objects.all(), label=_("Major class"))
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = MinorClass
        fields = ["kind", "standard", "major", "is_active"]

    def search(self, queryset: QuerySet[MinorClass], name: str, value: str) -> QuerySet[MinorClass]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(code__startswith=value) | Q(conditions__description__icontains=value)
        ).distinct()
