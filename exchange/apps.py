from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    """Exchange (对外交换): the platform's connections upward, outward and to the public. It sits above every other
    layer, reads them and calls their services; nothing below imports it."""

    name = "exchange"
    verbose_name = _("Exchange and the public")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from exchange.networking.apps import connect

        connect()  # three-level networking: its hooks into cases, hotlines, bulletins and the taxonomy
