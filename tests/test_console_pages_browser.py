"""Every console page, as the roles that use it, in Chromium under the real Content-Security-Policy: no refused
inline script or handler, no other violation, no JavaScript error, no console error. The demo city (a small
scale of `seed_city`) gives every page something to show: maps, queues, orders, channels, bulletins."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.browser_checks import inline_code, violations, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DEMO_PASSWORD = "citymgmt-demo"


def _pages() -> dict[str, list[str]]:
    """The URLs each role opens (the administrator every page, the others their own working pages)."""
    from cases.models import Case
    from core.choices import Role
    from core.models import User
    from evaluation.models import Assessment, Bulletin, InspectionRecord, SelfEvaluation
    from grids.models import Component, UnitGrid
    from hotlines.models import Camera, ChatGroupReport, Inspection, OnlineOpinion, WorkOrder

    case = Case.objects.filter(photos__isnull=False).first() or Case.objects.first()
    handler_case = Case.objects.filter(department__isnull=False).first()
    handler = User.objects.filter(role=Role.HANDLER, department=handler_case.department).first()
    order = WorkOrder.objects.first()
    every = [
        "/",
        "/map/",
        "/cases/",
        "/cases/map/",
        "/cases/notifications/",
        f"/cases/{case.pk}/",
        "/hotlines/",
        "/hotlines/new/",
        "/hotlines/import/",
        f"/hotlines/{order.pk}/",
        "/hotlines/channels/",
        "/hotlines/channels/opinions/",
        "/hotlines/channels/opinions/new/",
        "/hotlines/channels/inspections/",
        "/hotlines/channels/inspections/new/",
        "/hotlines/channels/chat/",
        "/hotlines/channels/chat/new/",
        "/hotlines/channels/cameras/",
        "/evaluation/bulletins/",
        "/evaluation/self-evaluations/",
        "/evaluation/hotspots/",
        "/evaluation/supervision/inspections/",
        "/evaluation/supervision/inspections/new/",
        "/evaluation/supervision/trainings/",
        "/evaluation/supervision/collectors/",
        "/evaluation/supervision/assessments/",
        "/screen/",
        "/screen/keys/",
        "/admin/",
        f"/admin/grids/unitgrid/{UnitGrid.objects.first().pk}/change/",
        f"/admin/grids/component/{Component.objects.first().pk}/change/",
        f"/admin/cases/case/{case.pk}/change/",
        "/api/docs/",
        "/audit/",
        "/audit/?action=login",
        "/account/password/",
        "/account/tokens/",
        "/no-such-page/",
    ]
    optional = [
        (OnlineOpinion, "/hotlines/channels/opinions/{}/"),
        (Inspection, "/hotlines/channels/inspections/{}/"),
        (ChatGroupReport, "/hotlines/channels/chat/{}/"),
        (Camera, "/hotlines/channels/cameras/{}/"),
        (Bulletin, "/evaluation/bulletins/{}/"),
        (SelfEvaluation, "/evaluation/self-evaluations/{}/"),
        (InspectionRecord, "/evaluation/supervision/inspections/{}/"),
        (Assessment, "/evaluation/supervision/assessments/{}/"),
    ]
    every += [url.format(row.pk) for model, url in optional if (row := model.objects.first()) is not None]
    return {
        "admin": every,
        "dispatcher": ["/", "/cases/", f"/cases/{case.pk}/", "/cases/map/", "/map/", "/map/?heat=1", "/screen/"],
        "operator": ["/", "/hotlines/", f"/hotlines/{order.pk}/", "/hotlines/channels/cameras/"],
        "collector": ["/", "/cases/"],
        handler.username: ["/", "/cases/", f"/cases/{handler_case.pk}/"],
        "finance": ["/", "/evaluation/bulletins/", "/cases/"],  # the last one is the console's own 403 page
        "supervisor": [
            "/",
            "/audit/",
            "/evaluation/bulletins/",
            "/account/tokens/",
            "/evaluation/hotspots/",
            "/evaluation/supervision/assessments/",
        ],
    }


def _login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_every_console_page_runs_under_the_csp_without_errors(page, live_server):
    call_command("seed_city", scale=0.002, seed=3, verbosity=0)
    problems = watch(page)
    page.goto(f"{live_server.url}/login/", wait_until="networkidle")
    assert violations(page) == []
    seen, refused = 0, set()
    for username, urls in _pages().items():
        _login(page, live_server.url, username)
        for url in urls:
            response = page.goto(f"{live_server.url}{url}", wait_until="networkidle")
            assert response.status < 500, url
            if response.status >= 400:  # the console's own 403/404 page: the browser logs the status itself
                refused.add(f"({live_server.url}{url})")
            assert "script-src" in response.headers["content-security-policy"]
            assert violations(page) == [], f"{username} {url}"
            assert inline_code(page) == [], f"{username} {url}"
            seen += 1
    assert [problem for problem in problems if not problem.endswith(tuple(refused))] == []
    assert seen > 40
