"""Patrol tracks: positions in (validated, one statement, once), day partitions, the presence figures of a shift,
the presence alerts and who may see what. The page and the phone app are in test_patrol_browser.py."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.choices import Role
from core.models import Notification
from grids.models import DutyGrid, PatrolAlert, PatrolShift, TrackPoint
from grids.patrol import alerts, partitions
from grids.patrol.figures import figures, shift_window
from tests.grids.conftest import centre

pytestmark = pytest.mark.django_db

DAY = timezone.localdate() - timedelta(days=1)  # yesterday: inside the 7 days taken, wholly in the past


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute, second), partitions.CHINA)


@pytest.fixture
def beat(city, make_user):
    """Collector 张三 patrols duty grid D01 = A001 + A002; a shift leader and a supervisor watch."""
    collector = make_user("zhangsan", Role.COLLECTOR, first_name="张三")
    duty = DutyGrid.objects.create(code="D01", name="东关责任网格")
    duty.unit_grids.set([city["grids"]["500120001001001"], city["grids"]["500120001001002"]])
    duty.collectors.add(collector)
    return {
        "collector": collector,
        "leader": make_user("leader", Role.SHIFT_LEADER),
        "supervisor": make_user("supervisor", Role.SUPERVISOR),
        "other": make_user("lisi", Role.COLLECTOR),
        "handler": make_user("handler", Role.HANDLER),
        "shift": PatrolShift.objects.create(name="早班", starts=time(8), ends=time(10)),
    }


def point(moment: datetime, lng: float, lat: float, accuracy: float | None = 5.0) -> dict:
    return {"at": moment.isoformat(), "lat": lat, "lng": lng, "accuracy": accuracy}


A001, A002, C001 = centre(0, 0), centre(1, 0), centre(0, 1)  # C001 (南门1号) is outside the duty grid


def test_a_batch_is_stored_once_in_its_day_partitions(api_as, beat):
    client = api_as(beat["collector"])
    batch = [point(at(8, m), *A001) for m in range(5)] + [point(at(23, 59, 59) + timedelta(seconds=2), *A002)]
    response = client.post("/api/v1/patrol/points/", {"points": batch}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"received": 6, "stored": 6}
    # The point two seconds after midnight is in the next day's partition.
    assert {DAY, DAY + timedelta(days=1)} <= partitions.existing()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {partitions.partition_name(DAY)}")
        assert cursor.fetchone()[0] == 5
    # The answer was lost and the phone sends the batch again: nothing is stored twice.
    again = client.post("/api/v1/patrol/points/", {"points": batch}, format="json")
    assert again.json() == {"received": 6, "stored": 0}
    assert TrackPoint.objects.filter(collector=beat["collector"]).count() == 6
    stored = TrackPoint.objects.filter(collector=beat["collector"]).order_by("recorded_at").first()
    assert stored.recorded_at == at(8) and stored.accuracy == 5.0
    assert abs(stored.location.x - A001[0]) < 1e-9


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"lat": 95}, "lat"),
        ({"lng": "east"}, "lng"),
        ({"lat": "NaN"}, "lat"),
        ({"at": "2026-13-40T08:00:00"}, "at"),
        ({"at": "1999-12-31T08:00:00+08:00"}, "at"),
        ({"accuracy": -3}, "accuracy"),
    ],
)
def test_a_bad_point_names_itself_and_nothing_is_stored(api_as, beat, bad, field):
    batch = [point(at(8), *A001), {**point(at(8, 1), *A001), **bad}]
    response = api_as(beat["collector"]).post("/api/v1/patrol/points/", {"points": batch}, format="json")
    assert response.status_code == 400
    assert field in response.json()["points[1]"]
    assert not TrackPoint.objects.exists()


def test_points_older_than_the_limit_or_from_other_roles_are_refused(api_as, beat, settings):
    old = timezone.now() - timedelta(days=settings.PATROL_MAX_AGE_DAYS + 1)
    response = api_as(beat["collector"]).post("/api/v1/patrol/points/", {"points": [point(old, *A001)]}, format="json")
    assert response.status_code == 400 and "at" in response.json()["points[0]"]
    for body in ({"points": []}, {"points": "many"}, {}):
        assert api_as(beat["collector"]).post("/api/v1/patrol/points/", body, format="json").status_code == 400
    handler = api_as(beat["handler"]).post("/api/v1/patrol/points/", {"points": [point(at(8), *A001)]}, format="json")
    assert handler.status_code == 403
    assert not TrackPoint.objects.exists()


def _walk(api_as, collector) -> None:
    """08:00–09:00 a point a minute inside the duty grid (A001 then A002), no signal 09:00–09:30, then 09:30–10:00
    outside it in C001."""
    inside = [point(at(8, m), *(A001 if m < 30 else A002)) for m in range(60)] + [point(at(9), *A002)]
    outside = [point(at(9, 30) + timedelta(minutes=m), *C001) for m in range(30)]
    response = api_as(collector).post("/api/v1/patrol/points/", {"points": inside + outside}, format="json")
    assert response.json()["stored"] == 91


def test_shift_figures(api_as, beat):
    _walk(api_as, beat["collector"])
    start, end = shift_window(beat["shift"], DAY)
    row = figures([beat["collector"].pk], start, end)[beat["collector"].pk]
    assert row.points == 91
    assert row.inside_seconds == 60 * 60  # 08:00–09:00 inside; the gap and the time outside do not count
    assert row.presence_rate == 50.0
    assert row.grids == ["500120001001001", "500120001001002", "500120002001001"]
    assert [(a.astimezone(partitions.CHINA).time(), b.astimezone(partitions.CHINA).time()) for a, b in row.gaps] == [
        (time(9), time(9, 30))
    ]
    # One step A001 → A002 (0.002° of longitude at 29.6°N ≈ 193.6 m) and one A002 → C001 is across the gap; the
    # other steps stay put.
    assert 190 < row.distance_m < 197
    # Through the API, for the shift leader; a shift that has not begun has no rate.
    body = api_as(beat["leader"]).get(f"/api/v1/patrol/figures/?date={DAY}&shift={beat['shift'].pk}").json()
    assert body["results"][0]["presence_rate"] == 50.0 and body["results"][0]["grids_visited"] == 3
    future = figures([beat["collector"].pk], *shift_window(beat["shift"], DAY + timedelta(days=3)))
    assert future[beat["collector"].pk].presence_rate is None


def test_tracks_are_lines_per_collector_and_collectors_see_only_their_own(api_as, beat):
    _walk(api_as, beat["collector"])
    body = api_as(beat["supervisor"]).get(f"/api/v1/patrol/tracks/?date={DAY:%Y/%m/%d}").json()
    [feature] = body["features"]
    assert feature["geometry"]["type"] == "LineString" and feature["properties"]["points"] == 91
    assert feature["properties"]["username"] == "zhangsan"
    own = api_as(beat["collector"]).get(f"/api/v1/patrol/tracks/?date={DAY}").json()
    assert len(own["features"]) == 1
    assert api_as(beat["other"]).get(f"/api/v1/patrol/tracks/?date={DAY}").json()["features"] == []
    refused = api_as(beat["other"]).get(f"/api/v1/patrol/tracks/?date={DAY}&collector={beat['collector'].pk}")
    assert refused.status_code == 403
    assert api_as(beat["handler"]).get(f"/api/v1/patrol/tracks/?date={DAY}").status_code == 403
    assert api_as(beat["supervisor"]).get("/api/v1/patrol/tracks/?date=12/03").status_code == 400


def test_silent_and_out_of_area_alerts_reach_the_shift_leader_once(api_as, beat, django_capture_on_commit_callbacks):
    def check(moment):
        with django_capture_on_commit_callbacks(execute=True):  # the notices go out after the commit
            return alerts.check_presence(moment)

    now = datetime.combine(DAY, time(9, 0), partitions.CHINA)
    # 08:00–08:40 inside, then nothing: at 09:00 he has been silent for 20 minutes (limit 15).
    api_as(beat["collector"]).post(
        "/api/v1/patrol/points/", {"points": [point(at(8, m), *A001) for m in range(41)]}, format="json"
    )
    assert check(now) == {"opened": 1, "closed": 0}
    alert = PatrolAlert.objects.get()
    assert alert.kind == "silent" and alert.started_at == at(8, 40)
    assert check(now + timedelta(minutes=1)) == {"opened": 0, "closed": 0}
    [notice] = Notification.objects.filter(kind="patrol_alert")
    assert notice.recipient == beat["leader"] and "08:40" in notice.message and "张三" in notice.message
    assert not Notification.objects.filter(recipient=beat["supervisor"]).exists()

    # He is back, but outside the duty grid for the last 10 minutes: the silence ends, leaving the area begins.
    api_as(beat["collector"]).post(
        "/api/v1/patrol/points/",
        {"points": [point(at(9, 2) + timedelta(minutes=m), *C001) for m in range(12)]},
        format="json",
    )
    later = at(9, 13)
    assert check(later) == {"opened": 1, "closed": 1}
    assert PatrolAlert.objects.get(ended_at__isnull=True).kind == "left_area"
    assert Notification.objects.filter(kind="patrol_alert").count() == 2
    # Nobody is alerted outside a shift.
    PatrolAlert.objects.all().delete()
    assert check(at(12)) == {"opened": 0, "closed": 0}


def test_old_partitions_are_detached_whole(api_as, beat):
    partitions.ensure([DAY - timedelta(days=3), DAY])
    api_as(beat["collector"]).post("/api/v1/patrol/points/", {"points": [point(at(8), *A001)]}, format="json")
    detached = partitions.detach_before(DAY)
    assert partitions.partition_name(DAY - timedelta(days=3)) in detached
    assert DAY in partitions.existing() and DAY - timedelta(days=3) not in partitions.existing()
    assert TrackPoint.objects.count() == 1
    # The detached table stays, for the operator to archive.
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [partitions.partition_name(DAY - timedelta(days=3))])
        assert cursor.fetchone()[0] is not None
