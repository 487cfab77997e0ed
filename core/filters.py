"""django-filter filters for times that PostgreSQL always accepts: the value is sent in UTC, so an offset such as
-23:13 (valid in Python, refused by PostgreSQL) or a year-1 bound never reaches the database as a 500."""

from __future__ import annotations

from datetime import UTC

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField, IsoDateTimeRangeField


class UtcIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except (OverflowError, ValueError) as exc:
            raise forms.ValidationError(_("Date-time out of range."), code="invalid") from exc


class UtcIsoDateTimeRangeField(IsoDateTimeRangeField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = (UtcIsoDateTimeField(), UtcIsoDateTimeField())


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class IsoDateTimeFromToRangeFilter(django_filters.IsoDateTimeFromToRangeFilter):
    field_class = UtcIsoDateTimeRangeField
