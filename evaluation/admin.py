"""Admin of the evaluation layer. Each sub-domain registers its own models below."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin_labels import labelled_column, labelled_filter
from evaluation.indicators import INDICATORS, SCHEMES
from evaluation.models import (
    Bulletin,
    BulletinEvent,
    FundsLine,
    Indicator,
    ScoreWeight,
    SelfEvaluation,
    SelfEvaluationEvent,
)
from evaluation.models import Project as SelfEvaluationProject

INDICATOR_LABELS = {key: indicator.label for key, indicator in INDICATORS.items()}

# ---- Indicators and monthly bulletins ------------------------------------------------------------------------------


@admin.register(ScoreWeight)
class ScoreWeightAdmin(admin.ModelAdmin):
    """Weights of the composite scores; a scheme without rows uses the defaults (the action writes them out)."""

    list_display = ["scheme_label", "indicator_label", "weight", "inverse"]
    list_filter = [labelled_filter("scheme", _("scheme"), SCHEMES)]
    scheme_label = labelled_column("scheme", _("scheme"), SCHEMES)
    indicator_label = labelled_column("indicator", _("indicator"), INDICATOR_LABELS)
    list_editable = ["weight", "inverse"]
    actions = ["load_defaults"]

    @admin.action(description=_("Load the default weights (only those missing)"))
    def load_defaults(self, request, queryset):
        from evaluation.indicators import load_default_weights

        added = load_default_weights()
        self.message_user(request, _("%(count)d weights added.") % {"count": added}, messages.SUCCESS)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class BulletinEventInline(_ReadOnlyInline):
    model = BulletinEvent
    fields = ["at", "action", "actor", "from_status", "to_status", "data"]
    readonly_fields = fields


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    """Bulletins are generated and published by their service (the console page); the admin only looks."""

    inlines = [BulletinEventInline]
    list_display = ["__str__", "period_start", "period_end", "status", "computed_at", "published_at"]
    list_filter = ["status", "year"]
    readonly_fields = [f.name for f in Bulletin._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# ---- Annual performance self-evaluation (绩效自评) -------------------------------------------------------------------
# Projects are edited here; an evaluation's figures are edited on the finance page (services keep them computed), so
# the admin shows evaluations read-only with their rows and history.


@admin.register(SelfEvaluationProject)
class SelfEvaluationProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "unit_name", "competent_department"]
    list_filter = ["kind"]
    search_fields = ["name", "unit_name"]


class FundsLineInline(_ReadOnlyInline):
    model = FundsLine
    fields = ["row", "initial_budget", "adjusted_budget", "executed"]


class IndicatorInline(_ReadOnlyInline):
    model = Indicator
    fields = ["position", "level1", "level2", "name", "direction", "target_value", "actual_value", "weight", "score"]


class SelfEvaluationEventInline(_ReadOnlyInline):
    model = SelfEvaluationEvent
    fields = ["at", "action", "actor", "from_status", "to_status", "data"]
    readonly_fields = fields


@admin.register(SelfEvaluation)
class SelfEvaluationAdmin(admin.ModelAdmin):
    list_display = ["year", "project", "status", "total", "grade", "declared_total"]
    list_filter = ["year", "status", "grade"]
    inlines = [FundsLineInline, IndicatorInline, SelfEvaluationEventInline]

    def has_change_permission(self, request, obj=None):
        return False


# ---- Supervision of the collectors and their company ---------------------------------------------------------------

from evaluation.supervision import admin as supervision_admin  # noqa: E402, F401
