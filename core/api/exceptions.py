"""API errors: DRF's format, plus Django's ValidationError turned into a 400 that names the field, and the
transition contract's refusals (``core.workflow``) as 404/403/409 (``core.api.workflow``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    from core.api.workflow import refusal_response

    exc = refusal_response(exc)
    if isinstance(exc, Response):
        return exc
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)


def not_found(request, exception=None):
    """The project's 404 (handler404): JSON under /api/ (an id that is not an integer never reaches a view), the
    console's own page elsewhere."""
    from core.sanitize import JSON_PATHS

    if request.path.startswith(JSON_PATHS):
        from django.http import JsonResponse
        from django.utils.translation import gettext as _

        return JsonResponse({"detail": _("Not found.")}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
