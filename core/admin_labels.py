"""Admin filters and columns for fields that store a code without model choices (a scheme, a record kind, an import
kind): the sidebar and the column show the code's label in the user's language, not the code."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.contrib import admin


def labelled_filter(field: str, title, labels: Mapping[str, object]) -> type[admin.SimpleListFilter]:
    """A list filter on ``field`` offering each code of ``labels`` under its label."""

    class LabelledFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return [(code, label) for code, label in labels.items()]

        def queryset(self, request, queryset):
            return queryset.filter(**{field: self.value()}) if self.value() else queryset

    LabelledFilter.title = title
    LabelledFilter.__name__ = f"{field.title().replace('_', '')}Filter"
    return LabelledFilter


def labelled_column(field: str, description, labels: Mapping[str, object]) -> Callable:
    """A changelist column showing ``field``'s label (the code itself when it has none), sortable by the code; set it
    as an attribute of the model admin and name it in ``list_display``."""

    @admin.display(description=description, ordering=field)
    def column(model_admin, obj) -> str:
        code = getattr(obj, field)
        return str(labels.get(code, code))

    return column
