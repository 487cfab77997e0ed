from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _load_taxonomy_after_migrate(sender, using: str = "default", **kwargs) -> None:
    # Runs after every migrate and every flush of a transactional test: the class tables must never stay empty.
    from grids.taxonomy import ensure_taxonomy

    ensure_taxonomy(using=using)


class GridsConfig(AppConfig):
    name = "grids"
    verbose_name = _("Base map")

    def ready(self) -> None:
        from grids.models import ClassificationStandard, ClassMapping, FilingCondition, MajorClass, MinorClass
        from grids.taxonomy import invalidate_taxonomy_cache

        post_migrate.connect(_load_taxonomy_after_migrate, sender=self, dispatch_uid="grids.load_taxonomy")
        # Any edit of the taxonomy (admin, shell, API) drops the cached answers of GET /api/v1/taxonomy/.
        for model in (ClassificationStandard, MajorClass, MinorClass, ClassMapping, FilingCondition):
            for signal in (post_save, post_delete):
                signal.connect(
                    invalidate_taxonomy_cache,
                    sender=model,
                    dispatch_uid=f"grids.taxonomy_cache.{signal is post_save}.{model.__name__}",
                )
