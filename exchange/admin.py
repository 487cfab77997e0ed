"""The exchange's admin pages live in its sub-packages."""

from exchange.networking import admin as networking_admin  # noqa: F401
