"""FilterSets of supervision (inspection records, trainings, collectors, assessments), used by the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.filters import TriStateFilter, day_range, search_in
from core.models import User
from evaluation.supervision.models import (
    Assessment,
    AssessmentStatus,
    HomeDepartment,
    InspectionKind,
    InspectionRecord,
    Training,
)


def _collectors():
    return User.objects.filter(role=Role.COLLECTOR)


class InspectionRecordFilterSet(django_filters.FilterSet):
    collector = django_filters.ModelChoiceFilter(queryset=_collectors(), label=_("Collector inspected"))
    kind = django_filters.MultipleChoiceFilter(choices=InspectionKind.choices, label=_("Kind"))
    team = django_filters.CharFilter(lookup_expr="icontains", label=_("Inspection team"))
    grid_code = django_filters.CharFilter(label=_("Unit grid code"))
    inspected_from, inspected_to = day_range("inspected_on")
    reversal = TriStateFilter(field_name="reverses", lookup_expr="isnull", exclude=True, label=_("Reversal"))
    q = django_filters.CharFilter(method=search_in("description", "team", "grid_code"), label=_("Search"))

    class Meta:
        model = InspectionRecord
        fields = ["collector", "kind"]


class TrainingFilterSet(django_filters.FilterSet):
    held_from, held_to = day_range("held_on")
    collector = django_filters.ModelChoiceFilter(
        field_name="attendances__collector", queryset=_collectors(), distinct=True, label=_("Collector")
    )
    q = django_filters.CharFilter(method=search_in("topic", "trainer"), label=_("Search"))

    class Meta:
        model = Training
        fields = []


class CollectorFilterSet(django_filters.FilterSet):
    """Filters of the collectors' list (users annotated by ``api.supervision.collectors``)."""

    home = django_filters.MultipleChoiceFilter(choices=HomeDepartment.choices, label=_("Home department"))
    part_time = TriStateFilter(method="filter_part_time", label=_("Part-time"))
    flagged = TriStateFilter(method="filter_flagged", label=_("Failed or never trained"))
    q = django_filters.CharFilter(method=search_in("username", "first_name", "last_name"), label=_("Search"))

    class Meta:
        model = User
        fields = []

    def filter_part_time(self, queryset, name, value):
        if value is None:
            return queryset
        full = Q(home=HomeDepartment.FULL_TIME)
        return queryset.exclude(full) if value else queryset.filter(full)

    def filter_flagged(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(flagged=value)


class AssessmentFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AssessmentStatus.choices, label=_("Status"))
    month_from, month_to = day_range("month", _("From month"), _("To month"))

    class Meta:
        model = Assessment
        fields = ["status"]
