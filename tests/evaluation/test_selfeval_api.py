"""Self-evaluation API and console pages: finance and supervisors read, other roles get 403; the detail carries the
tree with each figure's source and the findings; the platform's metrics fill bound values."""

from __future__ import annotations

from decimal import Decimal as D
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from evaluation.models.selfeval import SelfEvaluationStatus
from evaluation.selfeval import layout as L
from evaluation.selfeval import services
from tests.evaluation.selfeval_helpers import make_evaluation

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation():
    return make_evaluation()


@pytest.mark.parametrize(("role", "status"), [("finance", 200), ("supervisor", 200), ("admin", 200)])
def test_readers_get_the_list_detail_and_workbook(api_as, personas, evaluation, role, status):
    client = api_as(personas[role])
    listing = client.get("/api/v1/self-evaluations/", {"year": 2024})
    assert listing.status_code == status
    row = listing.json()["results"][0]
    assert row["id"] == evaluation.pk and row["year"] == 2024
    assert row["project"]["name"] == "数字城管运行项目" and row["total"] == "98.78" and row["grade"] == "excellent"
    assert client.get("/api/v1/self-evaluations/", {"year": 2023}).json()["count"] == 0

    detail = client.get(f"/api/v1/self-evaluations/{evaluation.pk}/").json()
    assert [node["name"] for node in detail["indicators"]] == ["产出指标", "效益指标", "满意度指标"]
    output = detail["indicators"][0]
    assert output["weight"] == "50.00" and [c["name"] for c in output["children"]] == [
        "数量指标",
        "质量指标",
        "时效指标",
    ]
    leaf = output["children"][0]["indicators"][0]
    assert (
        leaf["metric_key"] == "cases_per_month"
        and leaf["score"] == "10.00"
        and leaf["sources"]["score"]["kind"] == "rule"
    )
    assert detail["funds"]["rate"] == "95.00" and detail["funds"]["rows"][0]["row"] == "total"
    assert detail["findings"] == []

    workbook = client.get(f"/api/v1/self-evaluations/{evaluation.pk}/workbook.xlsx")
    assert workbook.status_code == 200
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(BytesIO(workbook.content))[L.SHEET_TITLE]
    assert ws["A1"].value.startswith("2024年度")
    evaluation.refresh_from_db()
    assert evaluation.status == SelfEvaluationStatus.DRAFT  # reading the workbook changes nothing


@pytest.mark.parametrize("role", ["collector", "operator", "dispatcher", "handler"])
def test_other_roles_get_403(api_as, personas, evaluation, role):
    client = api_as(personas[role])
    for url in (
        "/api/v1/self-evaluations/",
        f"/api/v1/self-evaluations/{evaluation.pk}/",
        f"/api/v1/self-evaluations/{evaluation.pk}/workbook.xlsx",
    ):
        assert client.get(url).status_code == 403, url


def test_detail_lists_findings(api_as, personas, evaluation):
    evaluation.declared_total = D("93.74")
    evaluation.save()
    findings = api_as(personas["supervisor"]).get(f"/api/v1/self-evaluations/{evaluation.pk}/").json()["findings"]
    assert [(f["code"], f["severity"], f["row"]["kind"]) for f in findings] == [("total_not_sum", "error", "total")]


def test_recompute_fills_bound_values_from_the_system_metrics(personas, evaluation, monkeypatch):
    from evaluation import metrics

    asked = []

    def fake(key, start, end):
        asked.append((key, start, end))
        return {"disposal_rate": D("80.00"), "system_fault_rate": D("2.00")}.get(key)

    monkeypatch.setattr(metrics, "system_metric", fake)
    services.refresh_from_platform(evaluation.pk, personas["finance"])
    rows = {i.name: i for i in evaluation.indicators.all()}
    assert {k for k, *_ in asked} == {i.metric_key for i in rows.values() if i.metric_key}
    assert all((s.isoformat(), e.isoformat()) == ("2024-01-01", "2024-12-31") for _, s, e in asked)
    assert rows["案件处置率"].actual_value == D(80) and rows["案件处置率"].score == D("8.42")  # 80 / 95 × 10
    assert rows["系统运行故障率"].score == D("5.00")  # ≤ 1 %: 1 / 2 × 10
    assert rows["案件处置率"].sources["actual"]["kind"] == "metric"
    assert rows["案件处置率"].sources["actual"]["metric"] == "disposal_rate"
    assert rows["案件处置率"].sources["actual"]["start"] == "2024-01-01"
    assert rows["预决算公开"].actual_value == D(100)  # typed in: untouched
    assert rows["群众满意率"].actual_value is None and rows["群众满意率"].score is None  # no data: no score


def test_recompute_binds_to_the_platforms_real_case_figures(personas, monkeypatch):
    """The real evaluation.metrics over an empty year: counts are 0 and rates have no denominator (None)."""
    from evaluation.metrics import system_metric

    evaluation = make_evaluation(year=2023)
    services.refresh_from_platform(evaluation.pk, personas["finance"])
    rows = {i.name: i for i in evaluation.indicators.all()}
    from datetime import date

    assert rows["每月案件处理总量"].actual_value == system_metric(
        "cases_per_month", date(2023, 1, 1), date(2023, 12, 31)
    )
    assert rows["案件处置率"].actual_value is None
    assert rows["案件处置率"].sources["actual"]["empty"] is True


def test_console_pages_for_finance_and_supervisor(client, personas, evaluation):
    list_url = reverse("evaluation:self_evaluations")
    detail_url = reverse("evaluation:self_evaluation", args=[evaluation.pk])
    client.force_login(personas["collector"])
    assert client.get(list_url).status_code == 403
    assert client.get(detail_url).status_code == 403

    client.force_login(personas["supervisor"])
    page = client.get(detail_url)
    assert page.status_code == 200 and b'id="recompute"' not in page.content  # read only
    assert b'id="save"' not in page.content and b'data-indicator="new"' not in page.content
    assert b'name="ind-0-actual_value"' in page.content and b"disabled" in page.content
    assert client.post(reverse("evaluation:self_evaluation_recompute", args=[evaluation.pk])).status_code == 403
    assert client.post(detail_url, {}).status_code == 403

    client.force_login(personas["finance"])
    page = client.get(list_url)
    assert page.status_code == 200 and f'data-id="{evaluation.pk}"'.encode() in page.content
    page = client.get(detail_url)
    assert page.status_code == 200 and b'id="recompute"' in page.content
    created = client.post(list_url, {"year": 2025, "project": evaluation.project.pk})
    assert created.status_code == 302
    new = evaluation.project.evaluations.get(year=2025)
    assert new.indicators.count() == 9 and new.funds.count() == 4  # the tree copied from 2024


def test_console_import_reports_row_errors(client, personas, evaluation):
    from openpyxl import load_workbook as load

    from evaluation.selfeval import workbook

    wb = load(BytesIO(workbook.workbook_bytes(services.load(evaluation))))
    ws = wb[L.SHEET_TITLE]
    ws["H3"] = 2019
    buffer = BytesIO()
    wb.save(buffer)
    buffer.name = "bad.xlsx"
    buffer.seek(0)
    client.force_login(personas["finance"])
    response = client.post(reverse("evaluation:self_evaluation_import", args=[evaluation.pk]), {"workbook": buffer})
    assert response.status_code == 400
    assert b'id="import-errors"' in response.content and b'data-row="3"' in response.content


def test_bound_figures_carry_their_formula_as_a_tooltip(client, personas, evaluation):
    from evaluation.indicators import INDICATORS
    from evaluation.metrics import SYSTEM_METRICS

    client.force_login(personas["finance"])
    body = client.get(reverse("evaluation:self_evaluation", args=[evaluation.pk])).content.decode()
    for key in ("disposal_rate", "hotline_reply_rate", "system_fault_rate"):
        tag = body.split(f'data-metric="{key}"')[1].split(">")[0]
        assert f'title="{SYSTEM_METRICS[key].formula}"' in tag, key
    # The case rates are the indicator engine's definitions, written once.
    assert SYSTEM_METRICS["disposal_rate"].formula is INDICATORS["disposal_rate"].formula
    assert 'data-metric="' not in body.split('name="ind-6-actual_value"')[1].split("</td>")[0]  # typed in: none


def test_bad_input_names_the_field_and_writes_nothing(personas, evaluation):
    from django.core.exceptions import ValidationError

    from evaluation.models import ImmutableEventError

    with pytest.raises(ValidationError) as info:
        services.save_self_evaluation(
            evaluation.pk,
            personas["finance"],
            header={"contact_person": "王五"},
            funds={"bogus": {"executed": D(1)}},
        )
    assert list(info.value.message_dict) == ["funds-bogus"]
    with pytest.raises(ValidationError) as info:
        services.save_self_evaluation(evaluation.pk, personas["finance"], funds={"total": {"executed": D(-1)}})
    assert list(info.value.message_dict) == ["funds-total-executed"]
    evaluation.refresh_from_db()
    assert evaluation.contact_person == "李华" and not evaluation.events.exists()

    services.save_self_evaluation(evaluation.pk, personas["finance"], header={"contact_person": "王五"})
    event = evaluation.events.get()
    with pytest.raises(ImmutableEventError):
        event.save()
    with pytest.raises(ImmutableEventError):
        event.delete()


def _page_data(response) -> dict:
    """The finance page's form as the browser would post it unchanged (every bound field's current value)."""
    context = response.context
    forms = [context["header"], *(form for _row, form, _line, _cells in context["funds"]), *context["formset"]]
    data = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif value is not None:
                data[bound.html_name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    management = context["formset"].management_form
    data.update({f.html_name: f.value() for f in management})
    return data


def test_the_finance_page_answers_bad_input_with_400_naming_the_field(client, personas, evaluation):
    url = reverse("evaluation:self_evaluation", args=[evaluation.pk])
    client.force_login(personas["finance"])
    data = _page_data(client.get(url))
    data["ind-1-weight"] = "150"
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.context["formset"].forms[1].errors.keys() == {"weight"}
    evaluation.refresh_from_db()
    assert evaluation.indicators.get(position=1).weight == D(10) and not evaluation.events.exists()
    data["ind-1-weight"] = "10"
    data["ind-1-actual_value"] = "76"
    response = client.post(url, data)
    assert response.status_code == 302
    assert evaluation.indicators.get(position=1).score == D("8.00")


def test_the_page_shows_events_the_platform_made_without_a_person(client, personas, evaluation):
    """The demo and beat record events with no actor; the history names nobody instead of failing."""
    from evaluation.models import SelfEvaluationEvent

    SelfEvaluationEvent.objects.create(
        evaluation=evaluation,
        action="recomputed",
        actor=None,
        from_status=evaluation.status,
        to_status=evaluation.status,
    )
    client.force_login(personas["finance"])
    page = client.get(reverse("evaluation:self_evaluation", args=[evaluation.pk]))
    assert page.status_code == 200 and b'data-action="recomputed"' in page.content


def test_findings_show_their_chinese_label_and_a_mixed_unit_rate_is_flagged(client, personas):
    """Bishan's 1899305.84 typed as 万元: the page names each finding in Chinese (codes only in data attributes) and
    does not headline an execution rate of a million per cent."""
    import re

    from evaluation.models import SelfEvaluation
    from evaluation.selfeval.demo import BISHAN_UNIT, seed_self_evaluations

    seed_self_evaluations(2025)
    bishan = SelfEvaluation.objects.get(project__unit_name=BISHAN_UNIT, year=2022)
    client.force_login(personas["finance"])
    body = client.get(reverse("evaluation:self_evaluation", args=[bishan.pk])).content.decode()
    findings = body.split('id="findings"')[1].split("</section>")[0]
    text = re.sub(r"<[^>]+>", " ", findings)
    assert "score_rate_mismatch" not in text and "unit_mixup" not in text and "得分率" in text
    headline = body.split('id="se-funds-rate"')[0].rsplit("<span", 1)[1] + body.split('id="se-funds-rate"')[1]
    headline = headline.split("</span>")[0]
    assert 'data-flagged="unit_mixup"' in headline and "1000" not in re.sub(r'title="[^"]*"', "", headline)
