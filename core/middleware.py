"""Query strings with text the database cannot store answer 400 naming the parameter, on every page and endpoint:
a filter such as `?q=%00` would otherwise reach PostgreSQL and fail there (500)."""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse

from core.sanitize import JSON_PATHS, find_bad_text, flat_query


class QueryHygieneMiddleware:
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
