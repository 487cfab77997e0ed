"""The platform's URLs plus the baseline: a bare Django view that inserts one row and answers 201.

It is what the framework itself allows on this machine for one write per request; the collector endpoint's figures
are read against it (the issue asks for at least half of it)."""

from django.db import connection
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def baseline(request):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_baseline (payload) VALUES (%s) RETURNING id", [request.body[:200].decode()])
        row_id = cursor.fetchone()[0]
    return JsonResponse({"id": row_id}, status=201)


urlpatterns = [path("bench/baseline/", baseline), path("", include("citymgmt.urls"))]
