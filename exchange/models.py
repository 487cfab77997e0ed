"""The exchange's models live in its sub-packages; Django finds them through this module."""

from exchange.networking.models import *  # noqa: F403
