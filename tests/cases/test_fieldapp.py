"""The collectors' app at /app/: the page, its manifest and service worker, its weight, and the ``mine`` filter it
lists the collector's own reports with. The app in a phone-sized Chromium is in test_fieldapp_browser.py."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from cases.services.transitions import perform
from cases.views.fieldapp import APP_ASSETS

pytestmark = pytest.mark.django_db

FIRST_LOAD_BUDGET = 300 * 1024  # bytes of JavaScript and CSS the phone loads on the first start (issue 14)


def test_the_page_is_public_and_holds_no_data(client):
    response = client.get("/app/")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-cache")
    assert "Content-Security-Policy" in response
    config = json.loads(response.content.decode().split('id="app-config" type="application/json">')[1].split("<")[0])
    assert config["batch"] == reverse("case-batch") and config["tasks"] == reverse("case-tasks")
    assert config["worker"] == "/app/sw.js"
    assert 'rel="manifest"' in response.content.decode()


def test_manifest_makes_it_installable(client):
    response = client.get("/app/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    body = response.json()
    assert body["start_url"] == "/app/" and body["scope"] == "/app/"
    assert body["display"] == "standalone"
    assert body["name"] == "城管采集终端"
    assert body["icons"][0]["src"].endswith("cases/app/icon.svg")


def test_service_worker_is_scoped_to_the_app_and_lists_the_shell(client):
    response = client.get("/app/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/app/"
    head = response.content.decode().splitlines()[:2]
    assert head[0].startswith('const CACHE = "fieldapp-') and len(head[0]) == len('const CACHE = "fieldapp-";') + 12
    shell = json.loads(head[1].removeprefix("const SHELL = ").removesuffix(";"))
    assert "/app/" in shell and "/static/cases/app/app.js" in shell and "/static/leaflet/leaflet.js" in shell
    assert 'self.addEventListener("fetch"' in response.content.decode()


def test_first_load_stays_within_its_budget():
    """Every script and style sheet of the shell, as sent (uncompressed) and as gzip would send them."""
    sizes = {name: Path(finders.find(name)).read_bytes() for name in APP_ASSETS if name.endswith((".js", ".css"))}
    raw = sum(len(body) for body in sizes.values())
    assert raw <= FIRST_LOAD_BUDGET, f"{raw} bytes of JS and CSS: { ({k: len(v) for k, v in sizes.items()}) }"
    assert sum(len(gzip.compress(body)) for body in sizes.values()) < raw / 2


def test_mine_lists_only_the_users_own_reports(api_as, report, cast):
    own = report()
    other = report(reporter=cast["collector2"])
    perform(other.pk, "send_verify", cast["operator"], collector=cast["collector"].pk)  # his task: he sees it
    client = api_as(cast["collector"])
    everything = {row["id"] for row in client.get("/api/v1/cases/").json()["results"]}
    assert everything == {own.pk, other.pk}
    mine = client.get("/api/v1/cases/?mine=reports").json()["results"]
    assert [row["id"] for row in mine] == [own.pk]
    assert [row["id"] for row in client.get("/api/v1/cases/?mine=tasks").json()["results"]] == [other.pk]
    assert client.get("/api/v1/cases/?mine=everything").status_code == 400
