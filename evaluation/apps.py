from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _default_weights(sender, **kwargs) -> None:
    """The composite scores' default weights as editable rows (only those missing, so admin edits survive)."""
    from evaluation.indicators import load_default_weights

    load_default_weights()


def _default_assessment_items(sender, **kwargs) -> None:
    """The company assessment's default items (evaluation.supervision.reference), only those missing."""
    from evaluation.supervision.reference import ensure_default_items

    ensure_default_items()


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        # Keep the per-case facts and daily rollups current after every committed transition. New reports are
        # picked up in bulk every few seconds instead (evaluation.tasks.sync_facts), so intake pays nothing here.
        from cases.timeline import after_transition
        from evaluation.rollups import on_transition

        after_transition(on_transition, reports=False)
        # Hotspot counts: a case that stops counting (rejected, refused, merged, cancelled) is taken out at once;
        # new reports are added by the same 15-second task (evaluation.hotspots.aggregation.sync).
        from evaluation.hotspots.aggregation import on_transition as hotspots_on_transition

        after_transition(hotspots_on_transition, reports=False)
        post_migrate.connect(_default_weights, sender=self, dispatch_uid="evaluation.default_weights")
        post_migrate.connect(_default_assessment_items, sender=self, dispatch_uid="evaluation.default_assessment_items")
