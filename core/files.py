"""Stored files (photos, screenshots, snapshots) served behind the permissions of the record they belong to.

``MEDIA_URL`` is ``/files/``, so every ``FieldFile.url`` (templates, API serializers, the admin) points at
:func:`serve`, and there is no public media route at all. Each app registers its file-bearing fields in its own
``files.py`` (imported by ``CoreConfig.ready`` through ``autodiscover_modules``; core names no app of ours):

    register("cases/", "cases.CasePhoto", "image", visible=lambda user: CasePhoto.objects.filter(...))

A request for ``/files/<name>`` finds the registration whose upload prefix ``name`` starts with and serves the
file only when a row of ``visible(user)`` holds exactly that name: another department's photo answers 404, as its
case does. Anonymous callers get 401 (API clients, token or not) or the login page (a browser asking for HTML).

Serving: Django's ``FileResponse`` by default; with ``FILES_X_ACCEL_REDIRECT_PREFIX`` set (e.g.
``/protected-media/``) the response is an empty one carrying ``X-Accel-Redirect`` and nginx sends the bytes from
an ``internal`` location (the snippet is in the README, Security and operations).
"""

from __future__ import annotations

import mimetypes
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.settings import api_settings

# Served inline; anything else is sent as a download so a stored file can never run as a page of our origin.
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf"}


@dataclass(frozen=True)
class ProtectedField:
    prefix: str  # the static head of the field's upload_to, e.g. "cases/"
    model: str  # "app_label.ModelName"
    field: str
    visible: Callable[[object], QuerySet]  # the rows of ``model`` the user may see

    def find(self, user, name: str):
        return self.visible(user).filter(**{self.field: name}).values_list("pk", flat=True).first()


_registry: dict[str, ProtectedField] = {}


def register(prefix: str, model: str, field: str, visible: Callable[[object], QuerySet]) -> None:
    if not prefix.endswith("/"):
        raise ValueError(f"upload prefix {prefix!r} must end with '/'")
    _registry[prefix] = ProtectedField(prefix, model, field, visible)


def registered() -> list[ProtectedField]:
    return list(_registry.values())


def field_for(name: str) -> ProtectedField | None:
    matches = [entry for prefix, entry in _registry.items() if name.startswith(prefix)]
    return max(matches, key=lambda entry: len(entry.prefix), default=None)


def _user(request: HttpRequest):
    """The session's user, else the API's token authentication (the handheld app fetches photos with its token)."""
    if request.user.is_authenticated:
        return request.user
    drf_request = Request(request, authenticators=[cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES])
    try:
        user = drf_request.user
    except APIException:
        return None
    return user if user is not None and user.is_authenticated else None


def _unauthenticated(request: HttpRequest) -> HttpResponse:
    wants_page = "text/html" in request.headers.get("Accept", "") and "Authorization" not in request.headers
    if wants_page:
        return redirect_to_login(request.get_full_path())
    response = JsonResponse({"detail": _("Authentication credentials were not provided.")}, status=401)
    response["WWW-Authenticate"] = 'Token realm="api"'
    return response


@require_safe
def serve(request: HttpRequest, name: str) -> HttpResponse:
    name = posixpath.normpath(name).lstrip("/")
    if name.startswith("..") or "\x00" in name:
        raise Http404
    user = _user(request)
    if user is None:
        return _unauthenticated(request)
    entry = field_for(name)
    if entry is None or apps.get_model(entry.model) is None or entry.find(user, name) is None:
        raise Http404
    return send_file(name)


def send_file(name: str) -> HttpResponse:
    """The stored file *name*, for a caller that has decided the requester may have it (``serve`` by the record's
    permissions; the public tracking link by its token). Same headers either way: inline only for safe types,
    private caching, nginx's ``X-Accel-Redirect`` when configured."""
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    inline = content_type in INLINE_TYPES
    prefix = settings.FILES_X_ACCEL_REDIRECT_PREFIX
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
        if not inline:
            response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(posixpath.basename(name))}"
    else:
        try:
            handle = default_storage.open(name, "rb")
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise Http404 from exc
        response = FileResponse(handle, content_type=content_type, as_attachment=not inline)
    # Private: a shared cache must never hand one user's permitted file to another.
    patch_cache_control(response, private=True, max_age=3600)
    return response
