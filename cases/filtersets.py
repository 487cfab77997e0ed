"""One FilterSet for case lists, shared by the API and the console."""

from __future__ import annotations

import re

import django_filters
from django.db.models import Q

from cases.choices import CaseSource, CaseStatus
from cases.models import Case
from core.filters import IsoDateTimeFromToRangeFilter


class CaseFilterSet(django_filters.FilterSet):
    # No join behind these, so no DISTINCT (which would also keep PostgreSQL from reading the list in index order).
    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices, distinct=False)
    class_code = django_filters.CharFilter(field_name="minor_class__code")
    grid = django_filters.CharFilter(field_name="grid_code")
    street = django_filters.CharFilter(field_name="street_code")
    community = django_filters.CharFilter(field_name="community_code")
    department = django_filters.NumberFilter(field_name="department_id")
    source = django_filters.MultipleChoiceFilter(choices=CaseSource.choices, distinct=False)
    overdue = django_filters.BooleanFilter(field_name="is_overdue")
    received = IsoDateTimeFromToRangeFilter(field_name="received_at")
    q = django_filters.CharFilter(method="search", label="Search")
    mine = django_filters.BooleanFilter(method="reported_by_me", label="Reported by me")

    class Meta:
        model = Case
        fields = ["status", "class_code", "grid", "street", "community", "department", "source", "overdue", "kind"]

    def reported_by_me(self, queryset, name, value):
        """``mine=true``: the user's own reports (the collectors' app lists them); ``false`` or absent: no filter."""
        user = getattr(self.request, "user", None)
        if not value or user is None or not user.is_authenticated:
            return queryset
        return queryset.filter(reporter=user)

    def search(self, queryset, name, value):
        """Case number, description or address containing *value*, ignoring case. Text without upper/lower case
        (Chinese, digits: nearly every search) is matched with LIKE, case-insensitive text with ``~*`` on the escaped
        text; the trigram indexes of migration 0004 answer both from three characters on. One or two characters
        are looked up in the stored short terms of migration 0005 (description and address: a case number is
        searched from three digits on)."""
        value = value.strip()
        if not value:
            return queryset
        if len(value) <= 2 and not any(c.isspace() or c in "'\\" for c in value):
            # Too short for trigrams: the stored one- and two-character terms (``Case.short_grams``) answer.
            return queryset.extra(
                where=["cases_case.short_grams @@ quote_literal(%s)::tsquery"], params=[value.lower()]
            )
        if value.upper() == value.lower():
            lookup, pattern = "contains", value
        else:
            lookup, pattern = "iregex", re.escape(value)
        return queryset.filter(
            Q(**{f"case_no__{lookup}": pattern})
            | Q(**{f"description__{lookup}": pattern})
            | Q(**{f"address__{lookup}": pattern})
        )
