"""The collectors' app (采集终端) at /app/: an installable web app for the phone, served by the platform.

The app is one page (``app/index.html``) and its script (``static/cases/app/app.js``); everything it shows comes from
the REST API with the collector's API token, so the page itself needs no session and holds no data. The service
worker is served from /app/ (not /static/) so that its scope covers the app, and it precaches the shell: the app
starts without a network, keeps unsent reports on the device (IndexedDB) and sends them when the network returns.

``APP_ASSETS`` is the shell. The worker's cache name carries a digest of these files' contents, so a new release
replaces the cached shell on the next start without anyone clearing caches.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

APP_ASSETS = (
    "cases/app/app.css",
    "cases/app/app.js",
    "cases/app/icon.svg",
    "leaflet/leaflet.css",
    "leaflet/leaflet.js",
)
NO_STORE = "no-cache, max-age=0"


@lru_cache(maxsize=1)
def _assets_digest() -> str:
    digest = hashlib.sha256()
    for name in (*APP_ASSETS, "cases/app/sw.js"):
        found = finders.find(name)
        if found:
            digest.update(Path(found).read_bytes())
    return digest.hexdigest()[:12]


def _config() -> dict:
    """What the script needs to know of the server: its endpoints (never hard-coded in the script)."""
    return {
        "token": reverse("api-token"),
        "logout": reverse("api-logout"),
        "me": reverse("api-me"),
        "taxonomy": reverse("api-taxonomy"),
        "cases": reverse("case-list"),
        "batch": reverse("case-batch"),
        "tasks": reverse("case-tasks"),
        "components": reverse("component-list"),
        "grids": reverse("grid-geojson"),
        "worker": reverse("fieldapp-worker"),
        "patrol": reverse("patrol-points"),
        "patrolInterval": settings.PATROL_INTERVAL_SECONDS,
    }


def _texts() -> dict:
    """The words the script shows, in the user's language (the script itself holds no text)."""
    return {
        "online": _("Online"),
        "offline": _("Offline: reports are kept on this phone"),
        "waiting": _("Waiting to be sent"),
        "sending": _("Sending…"),
        "sent": _("Sent"),
        "refused": _("Refused"),
        "saved": _("Saved on the phone; it is sent as soon as there is a network."),
        "synced": _("%(count)s report(s) sent."),
        "noPosition": _("No position yet: allow location or wait for the GPS."),
        "position": _("Position %(lat)s, %(lng)s (± %(accuracy)s m)"),
        "positionDenied": _("Location is not allowed: the report needs the phone's position."),
        "chooseClass": _("Choose a class."),
        "chosen": _("Class: %(name)s"),
        "recent": _("Recent"),
        "noComponent": _("No component"),
        "metres": _("%(distance)s m"),
        "noTasks": _("No open tasks."),
        "noReports": _("No reports yet."),
        "empty": _("Nothing waits to be sent."),
        "verifyTask": _("Verify (核实)"),
        "checkTask": _("Check (核查)"),
        "verifyQuestion": _("Is the problem there?"),
        "checkQuestion": _("Has it been put right?"),
        "verifyYes": _("Yes, it is there"),
        "verifyNo": _("No, it is not"),
        "checkYes": _("Passed"),
        "checkNo": _("Not put right"),
        "deadline": _("Due %(time)s"),
        "done": _("Done."),
        "needNetwork": _("This needs a network connection."),
        "loginFailed": _("Wrong username or password."),
        "lockedOut": _("Too many failed attempts; try again later."),
        "expired": _("Your login has expired: log in again. Unsent reports stay on the phone."),
        "photos": _("%(count)s photo(s)"),
        "failed": _("The platform could not be reached; it will be tried again."),
        "onDuty": _("Go on duty"),
        "offDuty": _("On duty · end"),
    }


@require_safe
def shell(request: HttpRequest) -> HttpResponse:
    """The app's one page. Public: it shows nothing until the script has a token."""
    response = render(request, "cases/app/index.html", {"app_config": _config(), "app_text": _texts()})
    response["Cache-Control"] = NO_STORE
    return response


@require_safe
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest that makes the page installable on the home screen."""
    start = reverse("fieldapp")
    body = {
        "name": _("City management field app"),
        "short_name": _("Field app"),
        "lang": "zh-CN",
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f4f6f8",
        "theme_color": "#1f5fa8",
        "icons": [{"src": static("cases/app/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_safe
def worker(request: HttpRequest) -> HttpResponse:
    """The service worker, with the shell's URLs and a cache name that changes with their contents."""
    source = Path(finders.find("cases/app/sw.js")).read_text(encoding="utf-8")
    shell_urls = [reverse("fieldapp"), reverse("fieldapp-manifest"), *(static(name) for name in APP_ASSETS)]
    head = f"const CACHE = {json.dumps('fieldapp-' + _assets_digest())};\nconst SHELL = {json.dumps(shell_urls)};\n"
    response = HttpResponse(head + source, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = NO_STORE
    response["Service-Worker-Allowed"] = reverse("fieldapp")
    return response
