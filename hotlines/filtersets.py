"""One FilterSet for work-order lists, shared by the API (the 12345 platform's pulls) and the console."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import IsoDateTimeFilter
from core.models import Department
from hotlines.choices import OrderStatus, OrderType, Satisfaction
from hotlines.models import WorkOrder


class WorkOrderFilterSet(django_filters.FilterSet):
    hotline = django_filters.CharFilter(field_name="hotline__code", label=_("Hotline"))
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices, label=_("Status"))
    order_type = django_filters.MultipleChoiceFilter(choices=OrderType.choices, label=_("Type"))
    satisfaction = django_filters.ChoiceFilter(choices=Satisfaction.choices, label=_("Satisfaction"))
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.filter(is_active=True).order_by("name"), label=_("Department")
    )
    street = django_filters.CharFilter(field_name="street_code", label=_("Street code"))
    received_after = IsoDateTimeFilter(field_name="received_at", lookup_expr="gte", label=_("Received after"))
    received_before = IsoDateTimeFilter(field_name="received_at", lookup_expr="lte", label=_("Received before"))
    updated_since = IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte", label=_("Updated since"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = WorkOrder
        fields = ["hotline", "status", "order_type", "satisfaction", "department", "street", "urgency"]

    def filter_overdue(self, queryset, name, value):
        from django.utils import timezone

        if value is None:
            return queryset
        late = Q(deadline__lt=timezone.now()) & ~Q(status=OrderStatus.COMPLETED)
        return queryset.filter(late) if value else queryset.exclude(late)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(external_no__icontains=value) | Q(content__icontains=value) | Q(address__icontains=value)
        )
