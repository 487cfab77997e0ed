"""The exchange app's models live in its sub-packages (standard file names there); Django finds them here."""

from exchange.open311.models import ApiClient
from exchange.public.models import PublicReport

__all__ = ["ApiClient", "PublicReport"]
