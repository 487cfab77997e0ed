"""Routers whose detail URLs take integer ids only: `/cases/abc/` or `/cases/null,null/accept/` is a 404 from the
URL resolver (answered as JSON under /api/), never a ValueError inside a view."""

from __future__ import annotations

from rest_framework.routers import DefaultRouter, SimpleRouter


class _IntegerIds:
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("trailing_slash", True)
        kwargs.setdefault("use_regex_path", False)
        super().__init__(*args, **kwargs)
        self._default_value_pattern = "int"


class IdRouter(_IntegerIds, SimpleRouter):
    pass


class IdDefaultRouter(_IntegerIds, DefaultRouter):
    include_format_suffixes = False  # `/departments/1.json` adds nothing to `Accept: application/json`
