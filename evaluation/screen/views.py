"""指挥大屏 pages: ``/screen/`` for signed-in staff (``evaluation.view_big_screen``), ``/screen/k/<token>/`` for a
wall display opened with a kiosk key, and under each the JSON data it polls, the heat tiles and the grid outlines.
The key pages hold no session and can do nothing but read these; a revoked key answers 403.
Keys are made and revoked on ``/screen/keys/`` (``evaluation.manage_screen_keys``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from rest_framework import exceptions

from core.replica import reads_replica
from evaluation.hotspots.views import tile_response
from evaluation.models import ScreenKey
from evaluation.screen import keys
from evaluation.screen.data import BadCursor, parse_cursor, screen_payload

VIEW = "evaluation.view_big_screen"
POLL_SECONDS = 5


def _config(request, base: str) -> dict:
    return {
        "dataUrl": f"{base}data.json",
        "gridsUrl": f"{base}grids.json",
        "heatUrl": f"{base}heat/{{z}}/{{x}}/{{y}}.pbf",
        "baseUrl": f"{base}base/{{z}}/{{x}}/{{y}}.pbf",
        "pollSeconds": POLL_SECONDS,
        "tilesUrl": settings.MAP_TILES_URL,
        "center": list(settings.LEAFLET_CONFIG.get("DEFAULT_CENTER", (29.59, 106.22))),
        "zoom": 12,
        "text": {
            "revoked": _("This screen key has been revoked. Ask an administrator for a new one."),
            "offline": _("Connection lost, retrying…"),
            "satisfaction": _("Satisfaction"),
            "reported": _("Reported"),
            "closed": _("Closed"),
            "cases": _("cases"),
            "score": _("Score"),
            "none": _("None"),
            "hours": _("hours"),
            "days": _("days"),
            "truncated": _("Most recent %(n)s open cases shown") % {"n": 1500},
        },
    }


def _render(request, base: str) -> HttpResponse:
    response = render(request, "evaluation/screen.html", {"screen_config": _config(request, base)})
    response["Referrer-Policy"] = "no-referrer"  # the kiosk token is in the URL
    return response


def _data_response(request) -> JsonResponse:
    """The poll's document; ``?since=<cursor>&layer=<layer>`` from the previous answer make it the changes only."""
    try:
        since, layer = parse_cursor(request.GET, "since"), parse_cursor(request.GET, "layer")
    except BadCursor as exc:
        return JsonResponse({exc.field: [str(exc)]}, status=400)
    response = JsonResponse(screen_payload(since, layer), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def _grids_response() -> HttpResponse:
    from grids.spatial import grids_geojson

    response = HttpResponse(grids_geojson(), content_type="application/json")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _tile(z, x, y, params) -> HttpResponse:
    try:
        return tile_response(z, x, y, params)
    except exceptions.ValidationError as exc:
        return JsonResponse(exc.detail, status=400, safe=False)
    except exceptions.NotFound:
        raise Http404 from None


def _base_tile(z, x, y) -> HttpResponse:
    from grids.basemap.tiles import cached_base_tile
    from grids.tiles import check_tile_address
    from grids.tiles import tile_response as mvt_response

    try:
        check_tile_address(z, x, y)
    except exceptions.ValidationError as exc:
        return JsonResponse(exc.detail, status=400, safe=False)
    except exceptions.NotFound:
        raise Http404 from None
    return mvt_response(cached_base_tile(z, x, y))


# ---- Signed-in staff ----------------------------------------------------------------------------------------------


def _staff(view):
    return login_required(permission_required(VIEW, raise_exception=True)(require_GET(view)))


@_staff
def screen_page(request: HttpRequest) -> HttpResponse:
    return _render(request, reverse("screen:page"))


@_staff
@never_cache
@reads_replica
def screen_data(request: HttpRequest) -> JsonResponse:
    return _data_response(request)


@_staff
def screen_grids(request: HttpRequest) -> HttpResponse:
    return _grids_response()


@_staff
def screen_base(request: HttpRequest, z: int, x: int, y: int) -> HttpResponse:
    return _base_tile(z, x, y)


@_staff
@reads_replica
def screen_heat(request: HttpRequest, z: int, x: int, y: int) -> HttpResponse:
    return _tile(z, x, y, request.GET)


# ---- Kiosk keys ---------------------------------------------------------------------------------------------------


def _keyed(view):
    """The view answers only for an active key; 403 for a revoked or unknown one. No session is read or made."""

    @require_GET
    def wrapped(request: HttpRequest, token: str, *args, **kwargs):
        if keys.active_key(token) is None:
            return JsonResponse({"detail": _("This screen key is not valid or has been revoked.")}, status=403)
        return view(request, token, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@_keyed
def kiosk_page(request: HttpRequest, token: str) -> HttpResponse:
    return _render(request, reverse("screen:kiosk", args=[token]))


@_keyed
@never_cache
@reads_replica
def kiosk_data(request: HttpRequest, token: str) -> JsonResponse:
    return _data_response(request)


@_keyed
def kiosk_grids(request: HttpRequest, token: str) -> HttpResponse:
    return _grids_response()


@_keyed
def kiosk_base(request: HttpRequest, token: str, z: int, x: int, y: int) -> HttpResponse:
    """The city's base map (roads, buildings, water, green, labels, grid outlines): what the screen draws under
    its cases. Only the base layers; no case data."""
    return _base_tile(z, x, y)


@_keyed
@reads_replica
def kiosk_heat(request: HttpRequest, token: str, z: int, x: int, y: int) -> HttpResponse:
    return _tile(z, x, y, request.GET)


# ---- Managing keys ------------------------------------------------------------------------------------------------


@login_required
@permission_required(keys.MANAGE, raise_exception=True)
def key_list(request: HttpRequest) -> HttpResponse:
    created = None
    errors = {}
    if request.method == "POST":
        try:
            key, token = keys.create_key(request.POST.get("name", ""), request.user, request=request)
        except ValidationError as exc:
            errors = {field: " ".join(messages) for field, messages in exc.message_dict.items()}
        else:
            created = {"key": key, "url": request.build_absolute_uri(reverse("screen:kiosk", args=[token]))}
    elif request.method != "GET":
        return HttpResponse(status=405)
    context = {
        "keys": ScreenKey.objects.select_related("created_by", "revoked_by"),
        "created": created,
        "errors": errors,
    }
    response = render(request, "evaluation/screen_keys.html", context, status=400 if errors else 200)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@permission_required(keys.MANAGE, raise_exception=True)
@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        keys.revoke_key(pk, request.user, request=request)
    except ScreenKey.DoesNotExist:
        raise Http404 from None
    except PermissionDenied:
        raise
    return redirect("screen:keys")
