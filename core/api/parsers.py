"""Request parsers that refuse text the database cannot store (NUL, unpaired surrogates) with a 400 naming the
field, before any view sees it. The defaults of REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"].

A view whose body is a list of independent items (the offline batch) names those actions in
``items_checked_individually``: its items are checked one by one by the service, so one poisoned report never
fails the others."""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ValidationError

from core.sanitize import find_bad_text, flat_query


def _refuse_bad_text(data, parser_context) -> None:
    view = (parser_context or {}).get("view")
    if view is not None and getattr(view, "action", None) in getattr(view, "items_checked_individually", ()):
        return
    found = find_bad_text(data)
    if found:
        name, message = found
        raise ValidationError({name: [message]})


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _refuse_bad_text(data, parser_context)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _refuse_bad_text(flat_query(data), parser_context)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        _refuse_bad_text(flat_query(result.data), parser_context)
        return result
