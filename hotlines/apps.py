from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _after_migrate(sender, **kwargs) -> None:
    """The two national hotlines and the default per-type time limits, created when missing."""
    from hotlines.services import ensure_reference_data

    ensure_reference_data()


class HotlinesConfig(AppConfig):
    name = "hotlines"
    verbose_name = _("Hotlines and intake channels")

    def ready(self) -> None:
        from cases.timeline import after_transition
        from hotlines.services import on_case_transition

        # A converted order completes when its case closes (cases never imports this layer: it calls us back).
        # A new report never ends a case, so the listener need not hear of reports.
        after_transition(on_case_transition, reports=False)
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="hotlines.reference_data")
