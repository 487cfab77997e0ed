"""The citizens' page on a phone (Playwright, headless Chromium, 390 × 844 touch viewport, a fixed geolocation):
report with a photo and the phone's position, get a tracking number, follow the link; after closing, answer the
return visit — 不满意 reopens the case. No CSP violation, no inline code, no JavaScript error on the way."""

from __future__ import annotations

import pytest

from cases.choices import CaseStatus
from cases.models import Case, CasePhoto, ReturnVisit
from exchange.public.models import PublicReport
from tests.browser_checks import close_context, inline_code, violations, watch
from tests.exchange.conftest import INSIDE, JPEG, TO_CLOSED, walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": INSIDE[1], "longitude": INSIDE[0]},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    yield page
    close_context(context, live_server)


def test_report_from_a_phone_then_follow_it_and_answer_the_return_visit(phone, live_server, city, department, tmp_path):
    page = phone
    problems = watch(page)
    page.goto(f"{live_server.url}/report/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone: no sideways scrolling
    page.check("input[name=problem][value=garbage]")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(JPEG)
    page.set_input_files("input[name=photo]", str(photo))
    page.click("#locate")
    # A function, not an expression: Playwright polls an expression with eval() in the page, which its CSP refuses.
    page.wait_for_function("() => document.querySelector('input[name=lat]').value !== ''")
    assert float(page.input_value("input[name=lat]")) == pytest.approx(INSIDE[1], abs=1e-6)
    assert float(page.input_value("input[name=lng]")) == pytest.approx(INSIDE[0], abs=1e-6)
    page.fill("textarea[name=description]", "小区门口垃圾堆了三天")
    page.fill("input[name=phone]", "13800001234")
    page.dblclick("#send")  # a double tap
    page.wait_for_url("**/report/t/**")
    number = page.text_content("#tracking-number").strip()
    link = page.get_attribute("#tracking-link", "href")
    assert Case.objects.count() == 1 and PublicReport.objects.count() == 1  # one report for the double tap
    public = PublicReport.objects.get()
    assert number == public.case.case_no and link.endswith(f"/report/t/{public.token}/")
    assert CasePhoto.objects.filter(case=public.case).count() == 1
    assert "13800001234" not in page.content()
    assert violations(page) == [] and inline_code(page) == [] and problems == []

    # The centre verifies, handles and closes it; the reporter opens the same link again.
    walk(public.case, city["cast"], *TO_CLOSED, department=department, condition=city["class"]["condition"].pk)
    page.goto(link)
    assert page.text_content("#stage").strip() == "已结案"
    assert page.text_content("#reply").strip() == "已清运，路面已冲洗"
    assert page.is_visible("img.before")
    page.check("input[name=satisfaction][value=unsatisfied]")
    page.fill("textarea[name=opinion]", "门口还有垃圾")
    page.click("#satisfaction-form button[type=submit]")
    page.wait_for_selector("#last-visit")
    case = Case.objects.get(pk=public.case.pk)
    assert case.status == CaseStatus.DISPOSED  # reopened for the centre to decide
    assert ReturnVisit.objects.get(case=case).satisfaction == "unsatisfied"
    assert page.text_content("#stage").strip() != "已办结"
    assert violations(page) == [] and inline_code(page) == [] and problems == []
