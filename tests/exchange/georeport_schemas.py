"""The essentials of the community GeoReport v2 JSON schemas, as test data.

Source: https://github.com/open311/schema-validation, ``schema/georeport-v2/`` (service.json, services.json,
service-definition.json, request.json, requests.json; commit 1116d93). The tests run without internet, so the
schemas are referenced, not fetched: what follows restates their required fields, types, enums and limits (the
descriptions left out). Nullable fields are written as type lists, which means the same as their ``anyOf``."""

from __future__ import annotations

SOURCE = (
    "https://github.com/open311/schema-validation/tree/1116d9305aa646d0ce5b28747d576e681122d371/schema/georeport-v2"
)

_TEXT = {"type": ["string", "null"]}
_WHEN = {"type": ["string", "null"], "format": "date-time"}

SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {
        "service_code": {"type": "string"},
        "service_name": {"type": "string"},
        "description": _TEXT,
        "metadata": {"type": "boolean"},
        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": _TEXT,
        "group": _TEXT,
    },
}
SERVICES = {"type": "array", "items": SERVICE}

SERVICE_DEFINITION = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {
        "service_code": {"type": "string"},
        "attributes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["variable", "code", "datatype", "required"],
                "properties": {
                    "variable": {"type": "boolean"},
                    "code": {"type": "string"},
                    "datatype": {
                        "type": "string",
                        "enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"],
                    },
                    "required": {"type": "boolean"},
                    "datatype_description": _TEXT,
                    "order": {"type": ["integer", "null"]},
                    "description": _TEXT,
                    "values": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["key", "name"],
                            "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
                        },
                    },
                },
            },
        },
    },
}

REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status", "service_code", "requested_datetime"],
    "properties": {
        "service_request_id": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": _TEXT,
        "service_name": _TEXT,
        "service_code": {"type": "string"},
        "description": {"type": ["string", "null"], "maxLength": 4000},
        "agency_responsible": _TEXT,
        "service_notice": _TEXT,
        "requested_datetime": {"type": "string", "format": "date-time"},
        "updated_datetime": _WHEN,
        "expected_datetime": _WHEN,
        "address": _TEXT,
        "address_id": _TEXT,
        "zipcode": _TEXT,
        "lat": {"type": ["number", "null"]},
        "long": {"type": ["number", "null"]},
        "media_url": {"type": ["string", "null"], "format": "uri"},
    },
}
REQUESTS = {"type": "array", "items": REQUEST}
