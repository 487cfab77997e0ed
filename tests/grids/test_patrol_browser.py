"""Patrol in Chromium: the collector goes on duty in the phone app and his positions reach the platform; the shift
leader's 巡查轨迹 page draws the day's track over the duty grid with his presence figures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.choices import Role
from grids.models import DutyGrid, PatrolShift, TrackPoint
from tests.browser_checks import close_context, violations, watch
from tests.conftest import PASSWORD
from tests.grids.conftest import centre
from tests.grids.test_patrol import DAY, at, point

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def duty(city, make_user):
    collector = make_user("zhangsan", Role.COLLECTOR, first_name="张三")
    grid = DutyGrid.objects.create(code="D01", name="东关责任网格")
    grid.unit_grids.set([city["grids"]["500120001001001"], city["grids"]["500120001001002"]])
    grid.collectors.add(collector)
    return {"collector": collector, "leader": make_user("leader", Role.SHIFT_LEADER)}


def test_going_on_duty_sends_positions(browser, live_server, duty, settings):
    settings.PATROL_INTERVAL_SECONDS = 1
    lng, lat = centre(0, 0)
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        geolocation={"latitude": lat, "longitude": lng, "accuracy": 6},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    problems = watch(page)
    page.goto(f"{live_server.url}/app/")
    page.fill("#login-form [name=username]", "zhangsan")
    page.fill("#login-form [name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#duty:not([hidden])")
    assert page.locator("#duty").inner_text() == "上岗"
    page.click("#duty")
    assert page.locator("#duty").get_attribute("aria-pressed") == "true"
    page.wait_for_timeout(3500)  # a position a second while on duty
    page.click("#duty")  # 下岗: what is kept is sent at once
    page.wait_for_function("() => document.getElementById('duty').getAttribute('aria-pressed') === 'false'")
    for _ in range(50):
        if TrackPoint.objects.filter(collector=duty["collector"]).count() >= 3:
            break
        page.wait_for_timeout(200)
    points = list(TrackPoint.objects.filter(collector=duty["collector"]))
    assert len(points) >= 3
    assert all(abs(p.location.x - lng) < 1e-6 and p.accuracy == 6 for p in points)
    assert problems == [] and violations(page) == []
    close_context(context, live_server)


def test_the_shift_leader_sees_the_track_and_the_figures(page, live_server, console_login, duty, api_as):
    shift = PatrolShift.objects.create(name="早班", starts=at(8).time(), ends=at(10).time())
    inside = [point(at(8) + timedelta(minutes=m), *centre(0 if m < 30 else 1, 0)) for m in range(61)]
    api_as(duty["collector"]).post("/api/v1/patrol/points/", {"points": inside}, format="json")
    problems = watch(page)
    console_login(duty["leader"])
    page.goto(f"{live_server.url}/map/patrol/?date={DAY}&shift={shift.pk}")
    page.wait_for_function("() => document.body.dataset.tracks === '1'")
    row = page.locator(f'#patrol-figures tr[data-collector="{duty["collector"].pk}"]')
    assert row.locator("td").nth(0).inner_text() == "张三"
    assert row.locator("td").nth(1).inner_text() == "50%"  # 08:00–09:00 of 08:00–10:00 inside the duty grid
    assert row.locator("td").nth(3).inner_text() == "2"
    assert page.locator("#patrolmap path.leaflet-interactive").count() >= 2  # the duty grid and the track
    assert problems == [] and violations(page) == []
