"""One FilterSet for work-order lists, shared by the API (the 12345 platform's pulls) and the console."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import DepartmentTreeFilter, FlexibleMomentFilter, IsoDateTimeFilter, TriStateFilter
from core.models import Department
from hotlines.choices import OrderStatus, OrderType, Satisfaction
from hotlines.models import WorkOrder


class WorkOrderFilterSet(django_filters.FilterSet):
    hotline = django_filters.CharFilter(field_name="hotline__code", label=_("Hotline"))
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices, label=_("Status"))
    order_type = django_filters.MultipleChoiceFilter(choices=OrderType.choices, label=_("Type"))
    satisfaction = django_filters.ChoiceFilter(choices=Satisfaction.choices, label=_("Satisfaction"))
    # The department and its sub-units, drawn as an indented tree.
    department = DepartmentTreeFilter(queryset=Department.objects.filter(is_active=True), label=_("Department"))
    street = django_filters.CharFilter(field_name="street_code", label=_("Street code"))
    # 2026-12-02, 2026/12/02, 20261202 or an ISO date-time; a date-only upper bound includes its whole day.
    received_after = FlexibleMomentFilter(field_name="received_at", lookup_expr="gte", label=_("Received after"))
    received_before = FlexibleMomentFilter(
        field_name="received_at", lookup_expr="lte", label=_("Received before"), end_of_day=True
    )
    updated_since = IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte", label=_("Updated since"))
    overdue = TriStateFilter(method="filter_overdue", label=_("Overdue"))  # all / yes / no; anything else: 400
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
