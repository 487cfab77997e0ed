from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _after_migrate(sender, **kwargs) -> None:
    # post_migrate is sent once per app; permissions of every app exist only after the last one.
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender is last:
        from core.reference import ensure_reference_data

        ensure_reference_data()


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Organisation and working time")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.utils.module_loading import autodiscover_modules

        from core.audit import connect_signals
        from core.middleware import session_started

        post_migrate.connect(_after_migrate, dispatch_uid="core.ensure_reference_data")
        connect_signals()  # the security audit log: logins, failures, lockouts, tokens, roles, permissions
        user_logged_in.connect(session_started, dispatch_uid="core.session_started")
        # Each app registers its file-bearing fields in its own files.py (core.files): core names none of them.
        autodiscover_modules("files")
