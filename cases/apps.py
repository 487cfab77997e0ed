from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _

from core.signals import partition_rows_changed


def _after_migrate(sender, **kwargs) -> None:
    """Reference data of the workflow, created when missing so admin edits survive: stage limits, dispatch rules."""
    from cases.reference import ensure_stage_limits
    from cases.suggest import ensure_dispatch_rules

    ensure_stage_limits()
    ensure_dispatch_rules()


def _stage_limits_changed(sender, **kwargs) -> None:
    from cases.deadlines import clear_limit_cache

    clear_limit_cache()


def _partition_rows_changed(sender, table: str, connection, **kwargs) -> None:
    from cases import tally
    from cases.models import Case

    if table == Case._meta.db_table:
        tally.recount(connection.alias)


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="cases.reference_data")
        # Other processes pick an edit up within the cache's lifetime (cases.deadlines).
        post_save.connect(_stage_limits_changed, sender="cases.StageLimit", dispatch_uid="cases.limits.saved")
        post_delete.connect(_stage_limits_changed, sender="cases.StageLimit", dispatch_uid="cases.limits.deleted")
        # Rows that left or entered the case table behind its triggers' back: the tally is counted again.
        partition_rows_changed.connect(_partition_rows_changed, dispatch_uid="cases.tally.recount")
