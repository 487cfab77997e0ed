"""FilterSets of the other intake channels, shared by the console lists and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import IsoDateTimeFilter, day_range, search_in
from hotlines.channels.models import Camera, ChatGroupReport, Inspection, OnlineOpinion
from hotlines.choices import CameraWatch, InspectorLevel, OpinionChannel


class OnlineOpinionFilterSet(django_filters.FilterSet):
    channel = django_filters.ChoiceFilter(choices=OpinionChannel.choices, label=_("Channel"))
    replied = django_filters.BooleanFilter(
        field_name="replied_at", lookup_expr="isnull", exclude=True, label=_("Replied")
    )
    submitted_after = IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte", label=_("Submitted after"))
    submitted_before = IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lte", label=_("Submitted before"))
    q = django_filters.CharFilter(method=search_in("external_no", "title", "content", "author"), label=_("Search"))

    class Meta:
        model = OnlineOpinion
        fields = ["channel"]


class InspectionFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=InspectorLevel.choices, label=_("Level"))
    inspector = django_filters.CharFilter(lookup_expr="icontains", label=_("Inspector"))
    date_from, date_to = day_range("date")
    q = django_filters.CharFilter(method=search_in("route", "note", "problems__description"), label=_("Search"))

    class Meta:
        model = Inspection
        fields = ["level"]

    @property
    def qs(self):
        return super().qs.distinct()


class ChatGroupReportFilterSet(django_filters.FilterSet):
    group = django_filters.CharFilter(lookup_expr="icontains", label=_("Group"))
    reporter_handle = django_filters.CharFilter(lookup_expr="icontains", label=_("Reporter handle"))
    message_after = IsoDateTimeFilter(field_name="message_at", lookup_expr="gte", label=_("From"))
    message_before = IsoDateTimeFilter(field_name="message_at", lookup_expr="lte", label=_("To"))
    has_case = django_filters.BooleanFilter(
        field_name="case", lookup_expr="isnull", exclude=True, label=_("Has a case")
    )
    q = django_filters.CharFilter(method=search_in("content", "group", "reporter_handle"), label=_("Search"))

    class Meta:
        model = ChatGroupReport
        fields = ["group"]


class CameraFilterSet(django_filters.FilterSet):
    watches = django_filters.ChoiceFilter(choices=CameraWatch.choices, label=_("Watches"))
    is_active = django_filters.BooleanFilter(label=_("Active"))
    q = django_filters.CharFilter(method=search_in("code", "name", "address"), label=_("Search"))

    class Meta:
        model = Camera
        fields = ["watches", "is_active"]
