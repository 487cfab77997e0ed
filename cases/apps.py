from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _after_migrate(sender, **kwargs) -> None:
    from cases.reference import ensure_stage_limits

    ensure_stage_limits()


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="cases.ensure_stage_limits")
