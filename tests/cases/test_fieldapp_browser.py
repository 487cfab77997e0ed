"""The collectors' app in a phone-sized Chromium with a fixed position: started offline from its service worker,
two reports made without a network (one with a photo), sent once the network returns, exactly once each; then a
verification task answered on the phone."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from cases.choices import CaseStatus
from cases.models import Case
from cases.services.transitions import perform
from tests.browser_checks import close_context, inline_code, violations, watch
from tests.conftest import PASSWORD
from tests.fixtures.small_city import INSIDE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        locale="zh-CN",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        geolocation={"latitude": INSIDE[1], "longitude": INSIDE[0], "accuracy": 8},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    close_context(context, live_server)


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), (120, 160, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def _log_in(page, live_server, user) -> list[str]:
    problems = watch(page)
    page.goto(f"{live_server.url}/app/")
    page.fill("#login-form [name=username]", user.username)
    page.fill("#login-form [name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#main:not([hidden])")
    # The shell is in the worker's cache before the network goes.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => Number(document.body.dataset.classes) > 0")  # the class list is on the phone
    return problems


def _make_report(page, search: str, description: str, photo: bytes | None = None) -> None:
    page.click('[data-tab="report"]')
    page.wait_for_function("() => document.getElementById('position').textContent.includes('±')")
    if photo:
        page.set_input_files("#photo-input", files=[{"name": "p.png", "mimeType": "image/png", "buffer": photo}])
        page.wait_for_selector("#photo-strip img")
    page.fill("#class-search", search)
    page.click("#class-results button")
    page.fill("#description", description)
    page.click("#report-form button[type=submit]")


def test_reports_made_offline_are_sent_once_when_the_network_returns(phone, live_server, cast, garbage_class, base_map):
    page = phone
    problems = _log_in(page, live_server, cast["collector"])
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    # No network: the app still starts (from the worker's cache) and takes two reports.
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("#main:not([hidden])")
    assert page.locator("#net").inner_text() == "离线：上报保存在手机上"
    _make_report(page, "暴露垃圾", "东关路口暴露垃圾", photo=_photo())
    _make_report(page, "06010", "东关路口又一堆垃圾")
    page.click('[data-tab="outbox"]')
    page.wait_for_function("() => document.querySelectorAll('#outbox-list li[data-state=waiting]').length === 2")
    assert page.locator("#outbox-count").inner_text() == "2"
    assert Case.objects.count() == 0

    # The network returns: both are sent by themselves, one with its (phone-compressed) photo.
    page.context.set_offline(False)
    page.wait_for_function("() => document.querySelectorAll('#outbox-list li[data-state=sent]').length === 2")
    assert Case.objects.count() == 2
    with_photo = Case.objects.get(description="东关路口暴露垃圾")
    photo = with_photo.photos.get()
    assert photo.content_type == "image/jpeg" and photo.size < 400_000
    assert with_photo.reporter == cast["collector"] and with_photo.minor_class.code == "06010"
    assert abs(with_photo.location.x - INSIDE[0]) < 1e-6 and abs(with_photo.location.y - INSIDE[1]) < 1e-6
    assert page.locator(f"#outbox-list li[data-state=sent]:has-text('{with_photo.case_no}')").count() == 1

    # Sending again (a lost answer, a second tap) makes nothing new.
    page.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open("fieldapp");
            open.onsuccess = () => {
                const tx = open.result.transaction("reports", "readwrite");
                const store = tx.objectStore("reports");
                store.getAll().onsuccess = (e) => e.target.result.forEach((r) => store.put({...r, state: "waiting"}));
                tx.oncomplete = resolve;
            };
        })"""
    )
    page.click("#sync-now")
    page.wait_for_function("() => document.querySelectorAll('#outbox-list li[data-state=sent]').length === 2")
    assert Case.objects.count() == 2

    # The collector's own reports are listed from the platform.
    page.click('[data-tab="mine"]')
    page.wait_for_function("() => document.querySelectorAll('#mine-list li[data-case]').length === 2")
    assert problems == [] and violations(page) == [] and inline_code(page) == []


def test_a_verification_task_is_answered_on_the_phone(phone, live_server, cast, report):
    case = report()
    perform(case.pk, "send_verify", cast["operator"], collector=cast["collector"].pk)
    page = phone
    problems = _log_in(page, live_server, cast["collector"])
    page.click('[data-tab="tasks"]')
    page.click(f'#task-list li[data-case="{case.pk}"] button')
    page.wait_for_selector("#task-detail:not([hidden]) .leaflet-interactive")
    assert case.case_no in page.locator("#task-title").inner_text()
    page.check("#task-form input[name=result][value=true]")
    page.fill("#task-form textarea[name=opinion]", "现场确有暴露垃圾")
    page.set_input_files("#task-photos", files=[{"name": "v.png", "mimeType": "image/png", "buffer": _photo()}])
    page.click("#task-form button[type=submit]")
    page.wait_for_selector("#task-list li.muted")  # 暂无待办任务
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED and case.verified is True
    assert case.photos.count() == 1
    assert problems == [] and violations(page) == []


def test_expired_login_keeps_unsent_reports(phone, live_server, cast, garbage_class, base_map):
    page = phone
    _log_in(page, live_server, cast["collector"])
    page.context.set_offline(True)
    _make_report(page, "暴露垃圾", "离线时的上报")
    # The token is revoked on the platform (e.g. the phone was reported lost) before the network returns.
    from core.tokens import RevokeReason, revoke_all

    revoke_all(cast["collector"], RevokeReason.ADMIN)
    page.context.set_offline(False)
    page.wait_for_selector("#login:not([hidden])")
    assert "重新登录" in page.locator("#login-error").inner_text()
    assert Case.objects.count() == 0
    page.fill("#login-form [name=username]", cast["collector"].username)
    page.fill("#login-form [name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.click('[data-tab="outbox"]')
    page.wait_for_selector("#outbox-list li[data-state=sent]")
    assert Case.objects.filter(description="离线时的上报").count() == 1
