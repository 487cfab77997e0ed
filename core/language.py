"""The console's language rule: Chinese unless the user picks English, remembered per user.

Order: the signed-in user's saved choice (``User.language``, set by the language switcher), else the switcher's
language cookie (pages before login), else ``LANGUAGE_CODE`` (简体中文). The browser's Accept-Language is ignored on
purpose: a command centre's PCs often run an English browser, and the platform must not switch language on its own.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.deprecation import MiddlewareMixin


def supported(code: str | None) -> str | None:
    """The supported language code for *code* ('en', 'zh-hans'…), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def chosen_language(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        saved = supported(getattr(user, "language", ""))
        if saved:
            return saved
    return supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)) or settings.LANGUAGE_CODE


class UserLanguageMiddleware(MiddlewareMixin):
    """Replaces Django's LocaleMiddleware (which honours Accept-Language); sits after AuthenticationMiddleware."""

    def process_request(self, request: HttpRequest) -> None:
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
