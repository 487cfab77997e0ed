"""Console pages of the core layer: the home page and the health endpoint."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.health import run_checks


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, Redis and a Celery worker are all up, 503 otherwise. Nothing is recorded (the fault
    rate comes from beat's own samples); only staff see each check's detail, a probe sees the status."""
    result = run_checks()
    status = 200 if result["status"] == "ok" else 503
    if not (request.user.is_authenticated and request.user.is_staff):
        result = {"status": result["status"]}
    return JsonResponse(result, status=status)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")
