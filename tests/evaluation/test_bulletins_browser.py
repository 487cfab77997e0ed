"""The monthly bulletin in a real browser: a supervisor generates March from the list page, sees the charts drawn
inline (nothing fetched from outside the server), the formulas as tooltips, publishes it, and the print view hides
the controls."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_generate_read_and_publish_a_bulletin(page, live_server, console_login, story, cast):
    from evaluation.models import Bulletin

    outside = []
    server = urlparse(live_server.url).netloc
    page.on("request", lambda request: urlparse(request.url).netloc not in {server, ""} and outside.append(request.url))
    console_login(cast["supervisor"])
    page.goto(f"{live_server.url}{reverse('evaluation:bulletins')}")
    page.fill("#generate-form input[name=year]", "2026")
    page.select_option("#generate-form select[name=month]", "3")
    page.click("#generate-form button[type=submit]")
    bulletin = Bulletin.objects.get(period_start="2026-03-01")
    page.wait_for_url(f"{live_server.url}{reverse('evaluation:bulletin', args=[bulletin.pk])}")

    assert page.locator("#department-chart rect").count() == 2  # two departments ranked
    assert page.locator("#trend-chart circle").count() >= 1
    assert page.locator("#headline abbr[title]").count() > 10  # every headline figure explains its formula
    assert page.locator("#overdue-cases tbody tr").count() == 1
    assert page.locator("#fixes li").count() >= 1
    assert page.locator("#bulletin").get_attribute("data-status") == "draft"

    page.click("#publish")
    page.wait_for_load_state()
    assert page.locator("#bulletin").get_attribute("data-status") == "published"
    assert page.locator("#publish").count() == 0
    bulletin.refresh_from_db()
    assert bulletin.is_published and bulletin.published_by == cast["supervisor"]

    page.emulate_media(media="print")
    assert not page.locator(".toolbar").is_visible()
    assert page.locator("#department-chart").is_visible()
    assert outside == []
