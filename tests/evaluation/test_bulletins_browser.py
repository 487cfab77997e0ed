"""The monthly bulletin in a real browser: a supervisor generates March from the list page, sees the charts drawn
inline (nothing fetched from outside the server), the formulas as tooltips, publishes it, and the print view hides
the controls."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_generate_read_and_publish_a_bulletin(
    page, live_server, console_login, story, cast, department, other_department
):
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

    # ECharts drew three SVG charts with axes, legends and units: the ranking's axis names both departments.
    page.wait_for_function("() => window.CityCharts && window.CityCharts.charts.length === 3")
    for chart in ("#trend-chart", "#department-chart", "#street-chart"):
        assert page.locator(f"{chart} svg").count() == 1, chart
    ranking_text = page.locator("#department-chart svg text").all_text_contents()
    assert {department.name, other_department.name} <= set(ranking_text)
    assert "综合得分" in ranking_text and "分" in ranking_text  # legend and axis unit
    trend_text = page.locator("#trend-chart svg text").all_text_contents()
    assert "26-03" in trend_text and "100%" in trend_text and "件" in trend_text  # month axis, rate axis, unit
    page.hover("#trend-chart svg")
    assert page.locator("#trend-chart svg path").count() > 5
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


def test_the_bulletin_prints_on_a4_as_handed_out(page, live_server, console_login, story, cast):
    """Printed to an A4 PDF: the title and the first section (its table and trend chart) share page 1, and no chart
    is parted from its heading (each heading sits on the same page as its chart)."""
    import re
    import unicodedata
    from io import BytesIO

    from pypdf import PdfReader

    from evaluation.bulletins.services import create_bulletin
    from tests.fixtures.casebook import mark_overdue_and_sync

    mark_overdue_and_sync()
    bulletin, _ = create_bulletin(2026, 3)
    console_login(cast["supervisor"])
    page.goto(f"{live_server.url}{reverse('evaluation:bulletin', args=[bulletin.pk])}")
    pdf = PdfReader(BytesIO(page.pdf(format="A4")))
    # The PDF's fonts map some CJK characters to radical look-alikes (⽉ for 月, ⻔ for 门): NFKC undoes the Kangxi
    # ones, and a radical left over matches any character.
    pages = [re.sub("[\u2e80-\u2fdf]", "\0", unicodedata.normalize("NFKC", p.extract_text())) for p in pdf.pages]

    def on_page(words: str, number: int) -> bool:
        return re.search("".join(f"[{re.escape(c)}\0]" for c in words), pages[number]) is not None

    def text(selector: str) -> str:
        return unicodedata.normalize("NFKC", page.locator(selector).inner_text())

    title, first = text("#bulletin h1"), text("#headline h2")
    assert on_page(title[:8], 0) and on_page(first, 0)
    for heading, chart in (
        ("#headline .chart h3", "#trend-chart"),
        ("#departments h2", "#department-chart"),
        ("#streets h2", "#street-chart"),
    ):
        words = text(heading)[:6]
        last_label = unicodedata.normalize("NFKC", page.locator(f"{chart} text").last.text_content())
        on = [i for i in range(len(pages)) if on_page(words, i)]
        assert on and on_page(last_label, on[0]), (heading, on)

    page.emulate_media(media="print")
    style = page.evaluate(
        """() => ({
            title: getComputedStyle(document.querySelector('#bulletin h1')).breakAfter,
            chart: getComputedStyle(document.querySelector('#department-chart').closest('.chart')).breakInside,
        })"""
    )
    assert style == {"title": "avoid", "chart": "avoid"}
