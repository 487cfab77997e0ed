"""Admin of the taxonomy: standards, classes, mappings and filing conditions (all editable).

Every edit saved here drops the cached answers of ``GET /api/v1/taxonomy/`` (signals in ``grids.apps``), and the
catalogue loader never overwrites what is edited here.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from grids.models import ClassificationStandard, ClassMapping, FilingCondition, MajorClass, MinorClass
from grids.taxonomy import limit_label


@admin.register(ClassificationStandard)
class ClassificationStandardAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_default", "is_local", "minor_class_count"]
    list_filter = ["is_default", "is_local"]
    search_fields = ["code", "name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClassificationStandard]:
        return super().get_queryset(request).annotate(minor_count=Count("minor_classes"))

    @admin.display(description=_("Minor classes"), ordering="minor_count")
    def minor_class_count(self, standard: ClassificationStandard) -> int:
        return standard.minor_count


@admin.register(MajorClass)
class MajorClassAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "standard"]
    list_filter = ["standard", "kind"]
    search_fields = ["code", "name"]
    list_select_related = ["standard"]


class FilingConditionInline(admin.TabularInline):
    model = FilingCondition
    extra = 0
    fields = [
        "code",
        "description",
        "limit_value",
        "limit_unit",
        "closing_condition",
        "urgency",
        "default_department",
        "is_active",
    ]
    autocomplete_fields = ["default_department"]


@admin.register(MinorClass)
class MinorClassAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "major", "kind", "standard", "is_active", "condition_count"]
    list_filter = ["standard", "kind", "is_active", "major__name"]
    search_fields = ["code", "name", "major__name"]
    list_select_related = ["standard", "major"]
    autocomplete_fields = ["major"]
    inlines = [FilingConditionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[MinorClass]:
        return super().get_queryset(request).annotate(n_conditions=Count("conditions"))

    @admin.display(description=_("Filing conditions"), ordering="n_conditions")
    def condition_count(self, minor: MinorClass) -> int:
        return minor.n_conditions


@admin.register(ClassMapping)
class ClassMappingAdmin(admin.ModelAdmin):
    list_display = ["source", "source_standard", "target", "target_standard", "note"]
    list_filter = ["source__standard", "target__standard", "source__kind", "note"]
    search_fields = ["source__code", "source__name", "target__code", "target__name"]
    list_select_related = ["source__standard", "target__standard"]
    autocomplete_fields = ["source", "target"]

    @admin.display(description=_("Source standard"), ordering="source__standard__code")
    def source_standard(self, mapping: ClassMapping) -> str:
        return str(mapping.source.standard)

    @admin.display(description=_("Target standard"), ordering="target__standard__code")
    def target_standard(self, mapping: ClassMapping) -> str:
        return str(mapping.target.standard)


@admin.register(FilingCondition)
class FilingConditionAdmin(admin.ModelAdmin):
    list_display = [
        "minor_class",
        "code",
        "description",
        "limit",
        "limit_value",
        "limit_unit",
        "urgency",
        "default_department",
        "is_active",
    ]
    list_editable = ["limit_value", "limit_unit", "urgency", "is_active"]
    list_filter = [
        "minor_class__standard",
        "minor_class__kind",
        "urgency",
        "limit_unit",
        "is_active",
        ("default_department", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["minor_class__code", "minor_class__name", "description", "closing_condition"]
    list_select_related = ["minor_class", "default_department"]
    autocomplete_fields = ["minor_class", "default_department"]
    list_per_page = 50

    @admin.display(description=_("Time limit"))
    def limit(self, condition: FilingCondition) -> str:
        return limit_label(condition.limit_value, condition.limit_unit)
