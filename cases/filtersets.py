"""One FilterSet for case lists, shared by the API and the console."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from cases.choices import CaseSource, CaseStatus
from cases.models import Case


class CaseFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices)
    class_code = django_filters.CharFilter(field_name="minor_class__code")
    grid = django_filters.CharFilter(field_name="grid_code")
    street = django_filters.CharFilter(field_name="street_code")
    community = django_filters.CharFilter(field_name="community_code")
    department = django_filters.NumberFilter(field_name="department_id")
    source = django_filters.MultipleChoiceFilter(choices=CaseSource.choices)
    overdue = django_filters.BooleanFilter(field_name="is_overdue")
    received = django_filters.IsoDateTimeFromToRangeFilter(field_name="received_at")
    q = django_filters.CharFilter(method="search", label="Search")

    class Meta:
        model = Case
        fields = ["status", "class_code", "grid", "street", "community", "department", "source", "overdue", "kind"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(case_no__icontains=value) | Q(description__icontains=value) | Q(address__icontains=value)
        )
