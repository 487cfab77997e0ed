"""热点分析: the pre-aggregated counts, heat tiles (decoded with the grid tests' minimal MVT reader), rankings with
their change, recurring problems with configurable N and M, the Excel export and who may see any of it."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases.models import Case
from core.choices import AuditAction
from core.models import AuditEntry
from evaluation.hotspots import aggregation, rankings, tiles
from evaluation.hotspots.filters import HotspotQuery
from evaluation.models import HeatCell, HotspotDay
from tests.fixtures.small_city import INSIDE
from tests.grids.test_tiles import decode_tile, tile_of

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


@pytest.fixture
def place(new_case):
    """``place(day, lng=…, lat=…, grid=…, **fields)``: a case received on *day* at a point."""

    def make(day: date, lng: float = INSIDE[0], lat: float = INSIDE[1], **fields):
        case = new_case(at=at(day), **fields)
        Case.objects.filter(pk=case.pk).update(location=Point(lng, lat, srid=4326))
        return case

    return make


def heat_n(client, day_from: date, day_to: date, z: int = 14, point=INSIDE, extra: str = "") -> int:
    x, y = tile_of(*point, z)
    response = client.get(f"/tiles/heat/{z}/{x}/{y}.pbf?from={day_from}&to={day_to}{extra}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    return sum(f["properties"]["n"] for f in decode_tile(response.content).get("heat", []))


def test_cells_are_web_mercator_squares_of_a_zoom_18_tile(place):
    case = place(timezone.localdate())
    aggregation.rebuild()
    row = HeatCell.objects.get(class_id=0, source="")
    mx = 6378137 * math.radians(INSIDE[0])
    my = 6378137 * math.log(math.tan(math.pi / 4 + math.radians(INSIDE[1]) / 2))
    assert (row.x, row.y) == (math.floor(mx / aggregation.CELL), math.floor(my / aggregation.CELL))
    assert row.cases == 1 and row.period == timezone.localdate()
    # One row per grain of detail: all, by class, by source, by both.
    assert HeatCell.objects.count() == 4
    assert HeatCell.objects.get(class_id=case.minor_class_id, source=case.source).cases == 1


def test_heat_tile_counts_by_period_class_and_source(api_as, personas, place, taxonomy):
    today = timezone.localdate()
    for _ in range(3):
        place(today)
    place(today - timedelta(days=1), minor_class=taxonomy["litter"], source="hotline_12345")
    place(today - timedelta(days=40))  # outside the default 30 days
    place(today, lng=INSIDE[0] + 0.05)  # another tile at zoom 14
    aggregation.rebuild()
    client = api_as(personas["dispatcher"])
    month_ago = today - timedelta(days=29)
    assert heat_n(client, month_ago, today) == 4
    assert heat_n(client, today - timedelta(days=60), today) == 5
    assert heat_n(client, month_ago, today, extra=f"&class={taxonomy['litter'].pk}") == 1
    assert heat_n(client, month_ago, today, extra="&source=hotline_12345") == 1
    assert heat_n(client, month_ago, today, extra="&source=collector") == 3
    assert heat_n(client, month_ago, today, point=(INSIDE[0] + 0.05, INSIDE[1])) == 1
    # Coarser zooms add cells up; the whole city falls into one tile at zoom 8.
    assert heat_n(client, today - timedelta(days=60), today, z=8) == 6
    # A cell is a polygon (MVT type 3).
    x, y = tile_of(*INSIDE, 14)
    features = decode_tile(client.get(f"/tiles/heat/14/{x}/{y}.pbf").content)["heat"]
    assert {f["type"] for f in features} == {3}


def test_heat_tile_input_errors_name_the_field(api_as, personas):
    client = api_as(personas["dispatcher"])
    assert client.get("/tiles/heat/14/0/0.pbf").content == b""
    for query, field in [
        ("from=2026-13-01", "from"),
        ("to=soon", "to"),
        ("class=x", "class"),
        ("source=fax", "source"),
        ("from=2026-12-02&to=2026-12-01", "from"),
        ("from=2001-01-01&to=2026-01-01", "from"),
    ]:
        response = client.get(f"/tiles/heat/14/0/0.pbf?{query}")
        assert response.status_code == 400 and field in response.json(), query
    assert client.get("/tiles/heat/21/0/0.pbf").status_code == 400
    assert client.get("/tiles/heat/3/8/0.pbf").status_code == 404
    assert client.get("/tiles/heat/14/0/0.pbf?from=2026/12/01&to=2026/12/02").status_code == 200


def test_complete_months_are_read_from_month_rows(api_as, personas, place):
    for day in (date(2026, 2, 25), date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 5)):
        place(day)
    aggregation.rebuild()
    assert HeatCell.objects.get(grain=1, period=date(2026, 3, 1), class_id=0, source="").cases == 2
    assert HeatCell.objects.get(grain=1, period=date(2026, 2, 1), class_id=0, source="").cases == 1
    months, ranges = tiles.period_parts(date(2026, 2, 20), date(2026, 4, 10))
    assert months == [date(2026, 3, 1)]
    assert ranges == [(date(2026, 2, 20), date(2026, 2, 28)), (date(2026, 4, 1), date(2026, 4, 10))]
    client = api_as(personas["supervisor"])
    assert heat_n(client, date(2026, 2, 20), date(2026, 4, 10)) == 4
    assert heat_n(client, date(2026, 3, 1), date(2026, 3, 31)) == 2
    assert heat_n(client, date(2026, 3, 2), date(2026, 3, 31)) == 1


def test_sync_adds_todays_reports_and_a_rejected_case_leaves_the_counts(place, act, cast):
    today = timezone.localdate()
    case = place(today)
    place(today)
    assert not HeatCell.objects.exists()
    aggregation.sync()
    assert HeatCell.objects.get(class_id=0, source="").cases == 2
    assert HotspotDay.objects.get(class_id=0, source="").cases == 2  # the grid total
    act(case, "reject", cast["operator"], timezone.now(), opinion="不属于城管范围")  # the listener runs after commit
    assert HeatCell.objects.get(class_id=0, source="").cases == 1
    assert HotspotDay.objects.get(class_id=0, source="").cases == 1
    assert HotspotDay.objects.get(grid_code="", source="").cases == 1  # the class total
    aggregation.on_transition(case.pk, 0)  # a repeated announcement changes nothing
    assert HeatCell.objects.get(class_id=0, source="").cases == 1


def test_a_rejected_case_of_a_past_month_leaves_its_month_row(place, act, cast):
    case = place(date(2026, 3, 10))
    place(date(2026, 3, 11))
    aggregation.rebuild()
    assert HeatCell.objects.get(grain=1, class_id=0, source="").cases == 2
    act(case, "reject", cast["operator"], timezone.now(), opinion="重复上报")
    assert HeatCell.objects.get(grain=1, class_id=0, source="").cases == 1
    assert HeatCell.objects.get(grain=0, period=date(2026, 3, 11), class_id=0, source="").cases == 1
    assert not HeatCell.objects.filter(grain=0, period=date(2026, 3, 10)).exists()


def test_rankings_carry_the_change_against_the_previous_period(place, base_map, taxonomy):
    first, second, third = base_map["grids"]
    end = date(2026, 5, 20)
    query = HotspotQuery(end - timedelta(days=9), end)  # 10 days; the previous: the 10 days before
    for _ in range(3):
        place(end, grid=first)
    place(end - timedelta(days=2), grid=second, minor_class=taxonomy["litter"])
    place(end - timedelta(days=12), grid=first)  # previous period
    for _ in range(4):
        place(end - timedelta(days=15), grid=second)  # previous period
    place(end - timedelta(days=25), grid=third)  # before both
    aggregation.rebuild()
    grids = rankings.ranking(query, "grid")
    assert [(r["key"], r["cases"], r["previous"], r["change"], r["change_rate"]) for r in grids] == [
        (first.code, 3, 1, 2, 200.0),
        (second.code, 1, 4, -3, -75.0),
    ]
    assert grids[0]["rank"] == 1 and grids[0]["name"] == first.name
    communities = rankings.ranking(query, "community")
    assert [(r["key"], r["cases"], r["previous"]) for r in communities] == [("500120001001", 4, 5)]
    assert communities[0]["name"] == "东关社区"
    classes = rankings.ranking(query, "class")
    assert [(r["key"], r["cases"], r["previous"]) for r in classes] == [
        (taxonomy["garbage"].pk, 3, 5),
        (taxonomy["litter"].pk, 1, 0),
    ]
    assert classes[1]["change_rate"] is None  # nothing before: no percentage
    only_litter = rankings.ranking(HotspotQuery(query.start, query.end, class_id=taxonomy["litter"].pk), "grid")
    assert [(r["key"], r["cases"]) for r in only_litter] == [(second.code, 1)]


def test_recurring_problems_follow_n_and_m(place, base_map, settings, client, personas, taxonomy):
    first, second, _third = base_map["grids"]
    end = timezone.localdate()
    cases = [place(end - timedelta(days=d), grid=first) for d in (0, 3, 5)]
    place(end - timedelta(days=9), grid=first)
    place(end, grid=second)
    place(end - timedelta(days=1), grid=second)
    place(end - timedelta(days=1), grid=second, minor_class=taxonomy["litter"])
    aggregation.rebuild()
    found = rankings.recurring(end, count=3, days=7)
    assert [(p["grid_code"], p["count"]) for p in found] == [(first.code, 3)]
    assert [c["id"] for c in found[0]["cases"]] == [c.pk for c in cases]  # newest first
    assert [(p["grid_code"], p["count"]) for p in rankings.recurring(end, count=3, days=10)] == [(first.code, 4)]
    assert [p["grid_code"] for p in rankings.recurring(end, count=2, days=7)] == [first.code, second.code]

    settings.HOTSPOT_RECURRING_COUNT, settings.HOTSPOT_RECURRING_DAYS = 2, 3
    assert rankings.recurring_settings() == (2, 3)
    client.force_login(personas["supervisor"])
    page = client.get(reverse("evaluation:hotspots"))
    assert page.status_code == 200
    rows = page.content.decode()
    assert f'data-grid="{second.code}"' in rows and f'data-grid="{first.code}"' not in rows  # 2 in 3 days: only 2nd
    page = client.get(reverse("evaluation:hotspots"), {"n": "4", "m": "10"})
    assert f'data-grid="{first.code}"' in page.content.decode()
    for case in cases:
        assert reverse("cases:detail", args=[case.pk]) in page.content.decode()
    bad = client.get(reverse("evaluation:hotspots"), {"n": "1", "from": "2026-02-30"})
    assert bad.status_code == 400
    assert 'data-field="n"' in bad.content.decode() and 'data-field="from"' in bad.content.decode()


def test_export_neutralises_formula_text_and_is_audited(place, base_map, client, personas):
    first = base_map["grids"][0]
    end = timezone.localdate()
    for d in range(3):
        place(end - timedelta(days=d), grid=first, address='=HYPERLINK("http://evil.example","点此")')
    aggregation.rebuild()
    client.force_login(personas["supervisor"])
    response = client.get(reverse("evaluation:hotspot_export"), {"n": "3", "m": "7"})
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames[:3] == ["单元网格", "社区", "类别"] or len(book.sheetnames) == 4
    grids = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert grids[0][1] == first.code and grids[0][3] == 3
    recurring = book.worksheets[3]
    addresses = [row[7] for row in recurring.iter_rows(min_row=2, max_row=4)]
    assert [cell.value for cell in addresses] == ['=HYPERLINK("http://evil.example","点此")'] * 3
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in addresses)
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).latest("id")
    assert entry.actor == personas["supervisor"] and entry.data["export"] == "hotspots" and entry.data["rows"] >= 4
    assert client.get(reverse("evaluation:hotspot_export"), {"to": "x"}).status_code == 400


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
def test_who_may_see_hotspots(client, api_as, personas, role, allowed):
    user = personas[role]
    expected = 200 if allowed else 403
    assert api_as(user).get("/tiles/heat/14/0/0.pbf").status_code == expected
    client.force_login(user)
    assert client.get(reverse("evaluation:hotspots")).status_code == expected
    assert client.get(reverse("evaluation:hotspot_export")).status_code == expected


def test_hotspots_need_a_login(api_client, client):
    assert api_client.get("/tiles/heat/14/0/0.pbf").status_code == 401
    assert client.get(reverse("evaluation:hotspots")).status_code == 302


def test_heat_tiles_are_kept_in_redis_until_the_counts_are_rebuilt(api_as, personas, place, settings):
    from evaluation.rollups import bump_version

    settings.TILE_CACHE_SECONDS = 60
    bump_version()  # no tile cached by an earlier test or run
    past = date(2026, 3, 10)
    place(past)
    aggregation.rebuild()
    client = api_as(personas["supervisor"])
    assert heat_n(client, past, past) == 1
    place(past)
    aggregation.rebuild()
    assert heat_n(client, past, past) == 1  # a past period's tile comes from Redis
    bump_version()  # what the nightly rebuild task does after rebuilding the counts
    assert heat_n(client, past, past) == 2


def test_heat_tiles_are_made_by_postgis_when_redis_is_down(api_as, personas, place, settings):
    settings.TILE_CACHE_SECONDS = 60
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.TolerantRedisCache", "LOCATION": "redis://127.0.0.1:9/0"}  # discard port
    }
    place(timezone.localdate())
    aggregation.rebuild()
    client = api_as(personas["supervisor"])
    assert heat_n(client, timezone.localdate(), timezone.localdate()) == 1
