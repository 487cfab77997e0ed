"""Open311's two wire formats. JSON: the data as it is (lists as arrays). XML: the spec's element names — a list
under a plural key becomes that element with one child per item named by ``ITEM_NAMES`` (``services`` → ``service``,
``service_requests`` → ``request``…), booleans ``true``/``false``, a missing value an empty element — with the UTF-8
declaration. Errors are ``[{code, description}]`` in both, with the HTTP status of the first."""

from __future__ import annotations

import json
import re
from xml.sax.saxutils import escape

from django.http import HttpResponse

ITEM_NAMES = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
}
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot carry
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


class Open311Error(Exception):
    """An answer of 400, 403 or 404 with the spec's error body."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(NOT_XML.sub("", str(value)))


def _fill(parts: list[str], name: str, value) -> None:
    # Written as strings, not an ElementTree: a page of 1,000 requests is 17,000 elements.
    if isinstance(value, list):
        parts.append(f"<{name}>")
        item = ITEM_NAMES.get(name, "item")
        for inner in value:
            _fill(parts, item, inner)
        parts.append(f"</{name}>")
    elif isinstance(value, dict):
        parts.append(f"<{name}>")
        for key, inner in value.items():
            _fill(parts, key, inner)
        parts.append(f"</{name}>")
    else:
        parts.append(f"<{name}>{_text(value)}</{name}>")


def to_xml(root: str, data) -> str:
    """``root`` names the document element; a list fills it with items, a dict with its keys. Element names are
    ours (the spec's); every value is escaped."""
    parts = [XML_DECLARATION, f"<{root}>"]
    if isinstance(data, list):
        item = ITEM_NAMES.get(root, "item")
        for inner in data:
            _fill(parts, item, inner)
    else:
        for key, value in data.items():
            _fill(parts, key, value)
    parts.append(f"</{root}>")
    return "".join(parts)


def respond(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = to_xml(root, data)
    else:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"  # read by city apps in browsers; POST needs an api_key anyway
    return response


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(fmt, "errors", [{"code": status, "description": description}], status=status)
