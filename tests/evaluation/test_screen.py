"""指挥大屏: its JSON data, who may open it, and the kiosk keys (made, used without a session, revoked, audited)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from core.choices import AuditAction
from core.models import AuditEntry
from evaluation.models import ScreenKey
from evaluation.screen import keys

pytestmark = pytest.mark.django_db


def test_data_shows_open_cases_with_lights_intake_and_overdue(client, personas, new_case, department):
    now = timezone.now()
    fresh = new_case(at=now)
    late = new_case(at=now - timedelta(days=3))
    Case.objects.filter(pk=late.pk).update(
        status="disposing",
        is_overdue=True,
        department=department,
        disposal_deadline=now - timedelta(hours=5),
        stage_deadline=now - timedelta(hours=5),
        stage_started_at=now - timedelta(days=3),
    )
    closed = new_case(at=now)
    Case.objects.filter(pk=closed.pk).update(status="closed")
    client.force_login(personas["dispatcher"])
    response = client.get(reverse("screen:data"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    data = response.json()
    items = {c["id"]: c for c in data["cases"]["items"]}
    assert set(items) == {fresh.pk, late.pk}  # open cases only
    assert items[late.pk]["light"] == "red" and items[fresh.pk]["light"] == "green"
    assert items[fresh.pk]["lng"] == pytest.approx(fresh.location.x)
    intake = {row["source"]: row["count"] for row in data["intake"]}
    assert intake["collector"] == 2  # received today: the fresh and the closed one
    assert [row["no"] for row in data["overdue"]] == [late.case_no]
    assert data["overdue"][0]["department"] == department.name and data["overdue"][0]["hours"] == pytest.approx(5, 0.1)
    assert [f["label"] for f in data["funnel"]] == ["上报", "受理", "立案", "派遣", "处置", "核查", "结案"]
    assert len(data["trend"]["days"]) == 30 and set(data) >= {"departments", "hotline", "hotspots", "now"}


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("operator", True),
        ("leader", True),
        ("dispatcher", True),
        ("supervisor", True),
        ("admin", True),
        ("handler", False),
        ("collector", False),
        ("finance", False),
    ],
)
def test_who_may_open_the_big_screen(client, personas, role, allowed):
    client.force_login(personas[role])
    for name in ("screen:page", "screen:data", "screen:grids"):
        assert client.get(reverse(name)).status_code == (200 if allowed else 403), name
    may_manage = role == "admin"
    assert client.get(reverse("screen:keys")).status_code == (200 if may_manage else 403)


def test_the_big_screen_needs_a_login_or_a_key(client):
    assert client.get(reverse("screen:page")).status_code == 302
    assert client.get(reverse("screen:data")).status_code == 302
    assert client.get(reverse("screen:kiosk_data", args=["not-a-key"])).status_code == 403


def test_kiosk_key_round_trip(client, personas, new_case):
    admin = personas["admin"]
    client.force_login(admin)
    page = client.post(reverse("screen:keys"), {"name": "指挥大厅主屏"})
    assert page.status_code == 200
    url = re.search(r'id="created-url" size="90"|value="([^"]+/screen/k/[^"]+/)"', page.content.decode()).group(1)
    token = url.rstrip("/").rsplit("/", 1)[1]
    key = ScreenKey.objects.get()
    assert key.digest == keys.digest(token) and token not in key.digest and key.created_by == admin
    created = AuditEntry.objects.get(action=AuditAction.SCREEN_KEY_CREATED)
    assert created.actor == admin and created.object_id == str(key.pk) and token not in created.object_text
    client.logout()

    # The wall: no session, only the screen and what it reads.
    new_case()
    assert client.get(reverse("screen:kiosk", args=[token])).status_code == 200
    data = client.get(reverse("screen:kiosk_data", args=[token]))
    assert data.status_code == 200 and len(data.json()["cases"]["items"]) == 1
    assert client.get(reverse("screen:kiosk_grids", args=[token])).json()["type"] == "FeatureCollection"
    assert client.get(reverse("screen:kiosk_heat", args=[token, 14, 0, 0])).status_code == 200
    assert client.get(reverse("screen:kiosk_heat", args=[token, 14, 0, 0]) + "?from=x").status_code == 400
    assert "sessionid" not in client.cookies
    assert client.get(reverse("screen:data")).status_code == 302  # the key is no login
    assert client.get(reverse("cases:console")).status_code == 302
    assert client.get("/api/v1/cases/").status_code in (401, 403)
    assert ScreenKey.objects.get().last_seen_at is not None

    client.force_login(admin)
    assert client.post(reverse("screen:key_revoke", args=[key.pk])).status_code == 302
    revoked = AuditEntry.objects.get(action=AuditAction.SCREEN_KEY_REVOKED)
    assert revoked.actor == admin and revoked.object_id == str(key.pk)
    client.logout()
    assert client.get(reverse("screen:kiosk_data", args=[token])).status_code == 403
    assert client.get(reverse("screen:kiosk", args=[token])).status_code == 403


def test_only_key_managers_make_or_revoke_keys(client, personas):
    key, _token = keys.create_key("大屏", personas["admin"])
    client.force_login(personas["supervisor"])
    assert client.post(reverse("screen:keys"), {"name": "x"}).status_code == 403
    assert client.post(reverse("screen:key_revoke", args=[key.pk])).status_code == 403
    assert ScreenKey.objects.get().revoked_at is None
    client.force_login(personas["admin"])
    assert client.post(reverse("screen:keys"), {"name": " "}).status_code == 400
    assert client.post(reverse("screen:key_revoke", args=[999999])).status_code == 404
    assert ScreenKey.objects.count() == 1


def test_a_kiosk_key_opens_the_base_map_tiles_and_nothing_more(client, personas, new_case):
    from django.contrib.gis.geos import LineString, MultiLineString

    from grids.models import Road
    from tests.fixtures.small_city import INSIDE
    from tests.grids.test_tiles import decode_tile, tile_of

    lng, lat = INSIDE
    Road.objects.create(
        name="璧泉路",
        road_class="arterial",
        geometry=MultiLineString(LineString((lng - 0.003, lat), (lng + 0.003, lat))),
    )
    new_case()  # a case under the same tile: the base tile carries none of it
    key, token = keys.create_key("指挥大厅", personas["admin"])
    x, y = tile_of(lng, lat, 16)
    response = client.get(reverse("screen:kiosk_base", args=[token, 16, x, y]))
    assert response.status_code == 200 and response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    tile = decode_tile(response.content)
    assert [f["properties"]["name"] for f in tile["roads"]] == ["璧泉路"]
    assert set(tile) <= {"green", "water", "buildings", "roads", "grids", "labels", "road_labels"}
    assert "sessionid" not in client.cookies
    assert client.get(f"/tiles/base/16/{x}/{y}.pbf").status_code in (401, 403)  # the key is no login
    assert client.get(reverse("screen:kiosk_base", args=[token, 23, 0, 0])).status_code == 400
    assert client.get(reverse("screen:kiosk_base", args=[token, 3, 8, 0])).status_code == 404
    assert client.get(reverse("screen:kiosk_base", args=["not-a-key", 16, x, y])).status_code == 403
    keys.revoke_key(key.pk, personas["admin"])
    assert client.get(reverse("screen:kiosk_base", args=[token, 16, x, y])).status_code == 403


@pytest.mark.parametrize(("role", "status"), [("dispatcher", 200), ("handler", 403)])
def test_the_staff_screen_reads_its_base_tiles_under_its_own_address(client, personas, role, status):
    client.force_login(personas[role])
    assert client.get(reverse("screen:base", args=[14, 0, 0])).status_code == status
    page = client.get(reverse("screen:page"))
    if status == 200:
        assert b"core/base_map.js" in page.content and b"/screen/base/{z}/{x}/{y}.pbf" in page.content
