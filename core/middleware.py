"""Request middleware of the core layer: the console session idle timeout and query-string hygiene.

Console session idle timeout (会话超时).

A session lives ``SESSION_COOKIE_AGE`` (= ``SESSION_IDLE_MINUTES``) seconds from its last save. Saving it on every
request (``SESSION_SAVE_EVERY_REQUEST``) would write the session table every 5 s for each open queue page; instead a
logged-in session is marked modified at most once every ``SESSION_RENEW_SECONDS``, which renews its expiry in the
store and in the cookie.

So that the login page can say why the user is there, a logged-in browser also carries a ``console_seen`` cookie,
removed on logout; arriving anonymous at the login page with it means the session ran out.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import reverse

from core.sanitize import JSON_PATHS, find_bad_text, flat_query

SEEN_KEY = "_idle_renewed"
MARKER = "console_seen"


class SessionIdleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        has_session = settings.SESSION_COOKIE_NAME in request.COOKIES
        marked = request.COOKIES.get(MARKER) == "1"
        now = int(time.time())
        if has_session and SESSION_KEY in request.session:
            if now - request.session.get(SEEN_KEY, 0) >= settings.SESSION_RENEW_SECONDS:
                request.session[SEEN_KEY] = now
        request.session_timed_out = marked and not (has_session and SESSION_KEY in request.session)
        response = self.get_response(request)
        logged_in = request.session.accessed and SESSION_KEY in request.session
        if logged_in:
            if not marked:
                response.set_cookie(
                    MARKER,
                    "1",
                    max_age=365 * 86400,
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
        elif marked and (request.path == reverse("login") or not request.session_timed_out):
            # Keep the marker through the login_required redirect, until the login page has shown its message;
            # an explicit logout (the session ended during this request) drops it at once.
            response.delete_cookie(MARKER, samesite="Lax")
        return response


def session_started(sender, request, user, **kwargs) -> None:
    """On login (user_logged_in): the login's own save of the session counts as its first renewal."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SEEN_KEY] = int(time.time())


class QueryHygieneMiddleware:
    """Query strings with text the database cannot store answer 400 naming the parameter, on every page and
    endpoint: a filter such as `?q=%00` would otherwise reach PostgreSQL and fail there (500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = find_bad_text(flat_query(request.GET)) if request.GET else None
        if found:
            name, message = found
            if request.path.startswith(JSON_PATHS):
                return JsonResponse({name: [message]}, status=400)
            return HttpResponseBadRequest(f"{name}: {message}", content_type="text/plain; charset=utf-8")
        return self.get_response(request)
