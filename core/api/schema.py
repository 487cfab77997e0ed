"""The OpenAPI document tells the truth about failures: every operation declares the error answers it can give.

Any endpoint can answer 400 (a query string or body with text the database cannot store, `core/middleware.py`,
`core/api/parsers.py`), 401 without credentials, 403 without the permission, 404 (an unknown id, a page past the
end) and 429 when throttled; an operation with a body can also answer 409 (a state that does not allow it, a key
already used) and 415 (a body it cannot read). Declared once here rather than on 86 operations, so schemathesis'
conformance checks hold everywhere."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

ERROR_BODY = {
    "type": "object",
    "description": '{"detail": "..."} or {field: ["message", ...]}',
    "additionalProperties": {},
}
ERRORS = {
    "400": "Invalid input: the body names each bad field",
    "401": "Authentication credentials were not provided or are invalid",
    "403": "The user's role lacks the permission",
    "404": "Not found (or not visible to this user)",
    "429": "Too many requests; retry after the `Retry-After` header's seconds",
}
BODY_ERRORS = {
    "409": "The current state does not allow this (or the key is already used)",
    "415": "The request body's media type is not one this operation reads (or its form is malformed)",
}


class ErrorDeclaringSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = dict(ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            errors.update(BODY_ERRORS)
        for code, description in errors.items():
            declared = responses.setdefault(code, {"description": description})
            declared.setdefault("content", {"application/json": {"schema": ERROR_BODY}})
            if not declared.get("description"):
                declared["description"] = description
        return responses
