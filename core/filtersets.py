import django_filters
from django import forms
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from core.choices import AuditAction
from core.models import AuditEntry, Department


class DepartmentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")

    class Meta:
        model = Department
        fields = ["kind", "parent", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class AuditEntryFilterSet(django_filters.FilterSet):
    """The audit log page's search: who, what, on which object, when, and free text over everything kept."""

    actor = django_filters.CharFilter(field_name="actor_name", lookup_expr="icontains", label=_("User"))
    action = django_filters.MultipleChoiceFilter(choices=AuditAction.choices, label=_("Action"))
    object = django_filters.CharFilter(method="filter_object", label=_("Object"))
    since = django_filters.DateFilter(
        field_name="at", lookup_expr="date__gte", label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        field_name="at", lookup_expr="date__lte", label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = AuditEntry
        fields = ["actor", "action", "object", "since", "until", "q"]

    def filter_object(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(object_type__icontains=value) | Q(object_id=value) | Q(object_text__icontains=value))

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.annotate(data_as_text=Cast("data", TextField())).filter(
            Q(actor_name__icontains=value)
            | Q(department__icontains=value)
            | Q(object_text__icontains=value)
            | Q(object_id=value)
            | Q(address__startswith=value)
            | Q(user_agent__icontains=value)
            | Q(data_as_text__icontains=value)
        )
