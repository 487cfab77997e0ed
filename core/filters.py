"""django-filter filters for times that PostgreSQL always accepts: the value is sent in UTC, so an offset such as
-23:13 (valid in Python, refused by PostgreSQL) or a year-1 bound never reaches the database as a 500.

Also the filters people type into: dates in the forms clerks write (2026-12-02, 2026/12/02, 20261202, 2026年12月2日)
beside ISO date-times, and a strict all / yes / no choice whose wrong values are errors naming the field."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from django_filters.fields import IsoDateTimeField, IsoDateTimeRangeField, RangeField
from django_filters.widgets import DateRangeWidget


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


# ---- Dates as people type them --------------------------------------------------------------------------------------

# A date typed into a filter: 2026-12-02, 2026/12/02, 2026.12.02, 2026/2/3 or 20261202 (what a clerk copies from a
# spreadsheet or a document); anything with a time is read as ISO 8601 (what the API's clients send).
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
]


def parse_date_text(text: str) -> date | None:
    """The calendar date written in *text* in one of the accepted forms, or None when it is not one.
    Raises ValueError for a form that fits but a day that does not exist (2026-02-30)."""
    text = text.strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day)
    return None


class FlexibleMomentField(forms.Field):
    """A moment for a time filter: a date in any accepted form (the start of that local day, or its last instant
    when ``end_of_day``: "received before 2026-12-02" includes the 2nd) or an ISO 8601 date-time; sent in UTC."""

    default_error_messages = {
        "invalid": _("“%(value)s” is not a date: write it as 2026-12-02, 2026/12/02 or 20261202."),
    }

    def __init__(self, *args, end_of_day: bool = False, **kwargs):
        self.end_of_day = end_of_day
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            moment = value
        else:
            text = str(value).strip()
            try:
                day = parse_date_text(text)
            except ValueError as exc:
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid", params={"value": text}
                ) from exc
            if day is not None:
                moment = datetime.combine(day, time.max if self.end_of_day else time.min)
                moment = timezone.make_aware(moment, timezone.get_current_timezone())
            else:
                moment = UtcIsoDateTimeField(required=False).to_python(text)  # ISO 8601, offsets checked
                if moment is None:
                    raise forms.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": text})
        try:
            return moment.astimezone(UTC)
        except (OverflowError, ValueError) as exc:
            raise forms.ValidationError(_("Date-time out of range."), code="invalid") from exc


class DatePickerRangeWidget(DateRangeWidget):
    """Two text inputs (``_after``, ``_before``) that static/core/filters.js gives a calendar button; typing stays
    possible, so 2026/12/02 works as well as picking."""

    def __init__(self, attrs=None):
        attrs = {
            "data-datepicker": "",
            "data-picker-label": _("Pick a date"),
            "placeholder": "2026-12-02",
            "autocomplete": "off",
            **(attrs or {}),
        }
        super().__init__(attrs)


class FlexibleMomentRangeField(RangeField):
    widget = DatePickerRangeWidget

    def __init__(self, *args, **kwargs):
        fields = (FlexibleMomentField(), FlexibleMomentField(end_of_day=True))
        super().__init__(fields, *args, **kwargs)


class FlexibleMomentRangeFilter(django_filters.RangeFilter):
    """``NAME_after`` / ``NAME_before`` bounds (inclusive), each a date in any accepted form or an ISO date-time."""

    field_class = FlexibleMomentRangeField


class FlexibleMomentFilter(django_filters.Filter):
    """One bound of a time filter (see ``FlexibleMomentField``); ``end_of_day`` for an upper bound."""

    field_class = FlexibleMomentField

    def __init__(self, *args, end_of_day: bool = False, **kwargs):
        attrs = {"data-datepicker": "", "data-picker-label": _("Pick a date"), "placeholder": "2026-12-02"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(*args, end_of_day=end_of_day, **kwargs)


# ---- Yes / no / all -------------------------------------------------------------------------------------------------


class TriStateField(forms.Field):
    """All (empty), yes or no. Unlike Django's NullBooleanField, a value that is none of these is an error naming
    the field, not a silent "all"."""

    TRUE = {"true", "1", "yes", "on", "是"}
    FALSE = {"false", "0", "no", "off", "否"}
    default_error_messages = {"invalid": _("Choose all, yes or no (true / false).")}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values or value is None:
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def validate(self, value):
        return None  # None (all) is a valid answer


class TriStateFilter(django_filters.BooleanFilter):
    field_class = TriStateField


# ---- Departments as a tree ----------------------------------------------------------------------------------------


def department_tree(queryset=None) -> list[tuple[object, int]]:
    """Departments in tree order (each followed by its sub-units) with their depth, from one query."""
    from core.models import Department

    rows = list((queryset if queryset is not None else Department.objects.filter(is_active=True)).order_by("name"))
    ids = {d.pk for d in rows}
    children: dict[int | None, list] = {}
    for d in rows:
        children.setdefault(d.parent_id if d.parent_id in ids else None, []).append(d)
    ordered: list[tuple[object, int]] = []

    def walk(parent_id, depth):
        for d in children.get(parent_id, []):
            ordered.append((d, depth))
            walk(d.pk, depth + 1)

    walk(None, 0)
    return ordered


def subtree_ids(department) -> list[int]:
    """A department and every sub-unit below it, as ids (one query over the small department table)."""
    from core.models import Department

    below: dict[int | None, list[int]] = {}
    for pk, parent_id in Department.objects.values_list("pk", "parent_id"):
        below.setdefault(parent_id, []).append(pk)
    ids, frontier = [department.pk], [department.pk]
    while frontier:
        frontier = [child for pk in frontier for child in below.get(pk, []) if child not in ids]
        ids += frontier
    return ids


class DepartmentTreeField(forms.ModelChoiceField):
    """A department select listing sub-units indented under their parent (second-level dispatch)."""

    INDENT = "\u3000"  # an ideographic space: indents Chinese names by one character

    def _get_choices(self):
        # Lazy, like Django's own iterator: building the FilterSet (every API request) runs no query.
        return CallableChoiceIterator(self._tree_choices)

    def _tree_choices(self):
        yield ("", self.empty_label or "")
        for d, depth in department_tree(self.queryset):
            yield (d.pk, self.INDENT * depth + ("└ " if depth else "") + d.name)

    choices = property(_get_choices, forms.ChoiceField.choices.fset)


class DepartmentTreeFilter(django_filters.ModelChoiceFilter):
    """A department and its sub-units (choosing 环卫处 lists the cases of its squads as well)."""

    field_class = DepartmentTreeField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", _("All departments"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(**{f"{self.field_name}__in": subtree_ids(value)})


def search_in(*fields: str):
    """A ``method`` for a ``CharFilter``: rows where any of ``fields`` contains the text (case-insensitive); blank
    text filters nothing. Used by the record lists that search a few text columns (channels, supervision)."""

    def search(queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    return search


FROM_DATE, TO_DATE = _("From date"), _("To date")


def day_range(field_name: str, from_label=FROM_DATE, to_label=TO_DATE):
    """The two filters of a date column's range, inclusive at both ends: ``x_from, x_to = day_range("x")``."""
    return (
        django_filters.DateFilter(field_name=field_name, lookup_expr="gte", label=from_label),
        django_filters.DateFilter(field_name=field_name, lookup_expr="lte", label=to_label),
    )
