"""Console pages of the core layer: the home page and the health endpoint."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.health import run_checks
from core.language import supported


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, Redis and a Celery worker are all up, 503 otherwise; each call is recorded."""
    result = run_checks(record=True)
    return JsonResponse(result, status=200 if result["status"] == "ok" else 503)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


def set_language(request: HttpRequest) -> HttpResponse:
    """The language switcher: Django's view (cookie and redirect), and a signed-in user's choice is remembered."""
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    language = supported(request.POST.get("language"))
    if request.method == "POST" and language and request.user.is_authenticated:
        from core.models import User

        User.objects.filter(pk=request.user.pk).update(language=language)
    return response
