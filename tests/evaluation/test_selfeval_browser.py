"""The finance page in a real browser: edit an actual value and save (the score and total follow), recompute from
the platform (bound values filled, sources shown), check (findings listed, then the form is checked), export."""

from __future__ import annotations

import os
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from evaluation.models import PlatformRefresh, RefreshStatus
from evaluation.models.selfeval import SelfEvaluationStatus
from evaluation.selfeval import layout as L
from evaluation.tasks import refresh_self_evaluation
from tests.evaluation.selfeval_helpers import make_evaluation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLATFORM = {
    "cases_per_month": D("1500"),
    "disposal_rate": D("90.25"),
    "closure_rate": D("96"),
    "ontime_disposal_rate": D("91"),
    "ontime_closure_rate": D("92"),
    "hotline_reply_rate": D("99"),
    "system_fault_rate": D("0.2"),
    "hotline_satisfaction_rate": D("93"),
}


def _screenshot(page, name: str) -> None:
    folder = os.environ.get("CONSOLE_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_edit_recompute_check_and_export(page, live_server, console_login, personas, monkeypatch, tmp_path):
    from evaluation import metrics

    monkeypatch.setattr(metrics, "system_metric", lambda key, start, end: PLATFORM.get(key))
    evaluation = make_evaluation()
    evaluation.declared_total = D("93.74")  # as a unit's report might print it
    evaluation.save()
    console_login(personas["finance"])
    page.goto(f"{live_server.url}{reverse('evaluation:self_evaluations')}")
    page.click(f'table.selfevals tr[data-id="{evaluation.pk}"] a')
    page.wait_for_url(f"{live_server.url}{reverse('evaluation:self_evaluation', args=[evaluation.pk])}")
    assert page.inner_text("#se-total") == "98.78"
    assert page.locator('#findings li[data-code="total_not_sum"]').count() == 1
    _screenshot(page, "selfeval-detail")

    # Edit: 案件处置率 (row 2) actual 97.2 → 76: 76 / 95 × 10 = 8.00, the total drops by 2.
    row = page.locator('#indicators tr.main[data-position="2"]')
    row.locator("input[name$='-actual_value']").fill("76")
    with page.expect_navigation():
        page.click("#save")
    assert page.inner_text("#se-total") == "96.78"
    assert page.locator('#indicators tr.main[data-position="2"] .computed-score').inner_text() == "8.00"
    assert page.locator('#indicators tr.main[data-position="2"] .src.manual').count() == 1  # typed by hand

    # Recompute from the platform: queued for a worker; the page shows its progress bar and reloads when it is done;
    # the bound rows then hold the platform's figures and show where they came from.
    with page.expect_navigation():
        page.click("#recompute")
    assert page.locator("#refresh progress#refresh-progress").count() == 1
    assert page.locator("#recompute").is_disabled()
    refresh = PlatformRefresh.objects.get(evaluation=evaluation)
    with page.expect_navigation(timeout=15_000):  # the poller reloads the page once the task has run
        assert refresh_self_evaluation(refresh.pk) == RefreshStatus.DONE
    assert page.locator("#refresh").count() == 0
    assert page.locator('.se-history li[data-action="recompute"] .score-change').count() == 1
    row = page.locator('#indicators tr.main[data-position="2"]')
    assert row.locator("input[name$='-actual_value']").input_value() == "90.25"
    assert row.locator(".computed-score").inner_text() == "9.50"  # 90.25 / 95 × 10
    assert row.locator(".src.metric").count() == 1
    metric = row.locator("abbr.metric")
    assert metric.get_attribute("data-metric") == "disposal_rate" and metric.get_attribute("title")  # the formula
    assert page.locator('#indicators tr.main[data-position="7"] .src.manual').count() == 1  # typed: untouched

    # Check: the declared total contradicts; adopting the platform's figures clears it, then the form is checked.
    with page.expect_navigation():
        page.click("#check")
    assert page.locator('#findings li[data-code="total_not_sum"]').count() == 1
    assert page.locator("#se-status").get_attribute("data-status") == SelfEvaluationStatus.DRAFT
    with page.expect_navigation():
        page.click("#adopt")
    with page.expect_navigation():
        page.click("#check")
    assert page.locator("#no-findings").count() == 1
    assert page.locator("#se-status").get_attribute("data-status") == SelfEvaluationStatus.CHECKED
    _screenshot(page, "selfeval-checked")

    # Export: the button downloads the finance-layout workbook and marks the evaluation exported.
    with page.expect_download() as info:
        page.click("#export")
    target = tmp_path / "export.xlsx"
    info.value.save_as(target)
    ws = load_workbook(BytesIO(target.read_bytes()))[L.SHEET_TITLE]
    assert ws["A1"].value == "2024年度数字城管运行项目绩效自评表"
    evaluation.refresh_from_db()
    assert evaluation.status == SelfEvaluationStatus.EXPORTED
    total_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == L.TOTAL_LABEL)
    assert ws.cell(total_row, 9).value == pytest.approx(float(evaluation.total))
    assert page.get_attribute("#download", "href") == reverse(
        "evaluation:self_evaluation_workbook", args=[evaluation.pk]
    )
    assert list(evaluation.events.values_list("action", flat=True)) == [
        "edit",
        "recompute",
        "check",
        "adopt",
        "check",
        "export",
    ]
