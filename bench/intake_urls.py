"""The platform's URLs plus two baselines that insert one row and answer 201:

- ``baseline`` (``/bench/baseline/``): a bare Django view. It is what Django itself allows on this machine for one
  write per request; the collector endpoint's figures are read against it (the issue asks for at least half of it).
- ``DrfFloor`` (``/bench/drf-floor/``): the same insert as a Django REST framework view with the platform's API
  settings (token authentication, permission, throttling, parsers, renderer, exception handler), as the collector
  endpoint has them.
  No report could be cheaper than this through the platform's API stack: it separates what the framework costs
  from what intake costs."""

from django.db import connection
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.response import Response
from rest_framework.views import APIView


@csrf_exempt
def baseline(request):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_baseline (payload) VALUES (%s) RETURNING id", [request.body[:200].decode()])
        row_id = cursor.fetchone()[0]
    return JsonResponse({"id": row_id}, status=201)


class DrfFloor(APIView):
    throttle_scope = "intake"

    def post(self, request):
        payload = str(request.data.get("x", ""))[:200]
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_baseline (payload) VALUES (%s) RETURNING id", [payload])
            row_id = cursor.fetchone()[0]
        return Response({"id": row_id}, status=201)


urlpatterns = [
    path("bench/baseline/", baseline),
    path("bench/drf-floor/", DrfFloor.as_view()),
    path("", include("citymgmt.urls")),
]
