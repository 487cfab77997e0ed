"""One FilterSet for case lists, shared by the API and the console.

The console draws some fields as pickers (cases.views.filters: department tree, street → community → grid cascade,
class picker, date picker); the parameters stay the same codes and ids the API documents. Bad input is a form error
naming the field (400 in the API, a message above the list in the console), never an empty list."""

from __future__ import annotations

import re

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases import attention
from cases.choices import CaseSource, CaseStatus
from cases.models import Case
from core.filters import DepartmentTreeFilter, FlexibleMomentRangeFilter, TriStateFilter
from core.models import Department

TASK_STATUSES = [CaseStatus.VERIFYING, CaseStatus.CHECKING]  # a collector's open tasks (核实, 核查)
MAX_DUE_HOURS = 2400  # 300 working days: beyond any limit a case may have


class CaseFilterSet(django_filters.FilterSet):
    # No join behind these, so no DISTINCT (which would also keep PostgreSQL from reading the list in index order).
    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices, distinct=False)
    class_code = django_filters.CharFilter(field_name="minor_class__code")
    grid = django_filters.CharFilter(field_name="grid_code")
    street = django_filters.CharFilter(field_name="street_code")
    community = django_filters.CharFilter(field_name="community_code")
    # The department and its sub-units (second-level dispatch).
    department = DepartmentTreeFilter(field_name="department_id", queryset=Department.objects.all())
    source = django_filters.MultipleChoiceFilter(choices=CaseSource.choices, distinct=False)
    # All (absent or empty), yes or no; anything else is a 400 naming ``overdue``.
    overdue = TriStateFilter(field_name="is_overdue")
    # Green now, yellow within the next working hour of the case's clock (cases.attention).
    turns_yellow = TriStateFilter(method="filter_turns_yellow", label=_("Turns yellow within the next working hour"))
    # The current stage falls due within this many working hours (not yet overdue).
    due_within = django_filters.NumberFilter(
        method="filter_due_within", min_value=0, max_value=MAX_DUE_HOURS, label=_("Due within (working hours)")
    )
    # received_after / received_before: 2026-12-02, 2026/12/02, 20261202 or an ISO date-time; a date-only upper
    # bound includes its whole day.
    received = FlexibleMomentRangeFilter(field_name="received_at")
    dispatched = FlexibleMomentRangeFilter(field_name="dispatched_at", label=_("Dispatched"))
    disposed = FlexibleMomentRangeFilter(field_name="disposed_at", label=_("Disposed"))
    closed = FlexibleMomentRangeFilter(field_name="closed_at", label=_("Closed"))
    # A collector's own work: the verify/check tasks assigned to them, or the cases they reported.
    mine = django_filters.ChoiceFilter(
        choices=[("tasks", _("My verify and check tasks")), ("reports", _("My reports"))],
        method="filter_mine",
        label=_("Mine"),
    )
    q = django_filters.CharFilter(method="search", label="Search")

    class Meta:
        model = Case
        fields = ["status", "class_code", "grid", "street", "community", "department", "source", "overdue", "kind"]

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if not value or user is None or not user.is_authenticated:
            return queryset
        if value == "tasks":
            return queryset.filter(assigned_collector=user, status__in=TASK_STATUSES)
        return queryset.filter(reporter=user)

    def filter_turns_yellow(self, queryset, name, value):
        if value is None:
            return queryset
        soon = attention.turning_yellow()
        return queryset.filter(soon) if value else queryset.exclude(soon)

    def filter_due_within(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(attention.due_within(float(value)))

    @staticmethod
    def searched(params) -> bool:
        """Whether request parameters ask for a free-text search (``q``, blank is none): the case lists read such a
        list by receipt-time window (cases.pagination)."""
        return bool(str(params.get("q") or "").strip())

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
