"""Bulletin and self-evaluation workbooks in the audit log; their admin keeps their history whole."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.choices import AuditAction
from core.models import AuditEntry
from evaluation.models import SelfEvaluation
from evaluation.selfeval import layout as L
from evaluation.selfeval import services, workbook
from tests.evaluation.selfeval_helpers import make_evaluation

pytestmark = pytest.mark.django_db


def _latest(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).order_by("-id").first()


def test_bulletin_workbook_downloads_are_recorded(client, api_as, march, cast):
    client.force_login(cast["supervisor"])
    assert client.get(reverse("evaluation:bulletin_workbook", args=[march.pk])).status_code == 200
    entry = _latest(AuditAction.EXPORT)
    assert entry.actor == cast["supervisor"] and entry.data["export"] == "bulletin"
    assert entry.object_type == "evaluation.bulletin" and entry.object_id == str(march.pk)

    assert api_as(cast["finance"]).get(f"/api/v1/bulletins/{march.pk}/workbook.xlsx").status_code == 200
    assert _latest(AuditAction.EXPORT).actor == cast["finance"]


def test_self_evaluation_downloads_and_imports_are_recorded(client, api_as, personas):
    evaluation = make_evaluation()
    client.force_login(personas["finance"])
    assert client.post(reverse("evaluation:self_evaluation_workbook", args=[evaluation.pk])).status_code == 200
    entry = _latest(AuditAction.EXPORT)
    assert entry.data["export"] == "self_evaluation" and entry.object_id == str(evaluation.pk)
    assert (
        api_as(personas["supervisor"]).get(f"/api/v1/self-evaluations/{evaluation.pk}/workbook.xlsx").status_code == 200
    )
    assert _latest(AuditAction.EXPORT).actor == personas["supervisor"]

    good = BytesIO(workbook.workbook_bytes(services.load(evaluation)))
    good.name = "自评表.xlsx"
    url = reverse("evaluation:self_evaluation_import", args=[evaluation.pk])
    assert client.post(url, {"workbook": good}).status_code == 302
    written = _latest(AuditAction.IMPORT)
    assert written.data["import"] == "self_evaluation" and written.data["outcome"] == "written"
    assert written.data["file_name"] == "自评表.xlsx" and written.object_id == str(evaluation.pk)

    book = load_workbook(BytesIO(workbook.workbook_bytes(services.load(evaluation))))
    book[L.SHEET_TITLE]["H3"] = 2019  # another year
    bad = BytesIO()
    book.save(bad)
    bad.name = "bad.xlsx"
    bad.seek(0)
    assert client.post(url, {"workbook": bad}).status_code == 400
    refused = _latest(AuditAction.IMPORT)
    assert refused.data["outcome"] == "refused" and refused.data["errors"] >= 1


def test_a_self_evaluation_with_events_cannot_be_deleted(client, personas):
    evaluation = make_evaluation()
    services.record_export(evaluation.pk, personas["finance"])  # writes an event
    admin = personas["admin"]
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    page = client.get(f"/admin/evaluation/selfevaluation/{evaluation.pk}/delete/")
    assert page.status_code == 200 and "无法删除" in page.content.decode()
    client.post(f"/admin/evaluation/selfevaluation/{evaluation.pk}/delete/", {"post": "yes"})
    assert SelfEvaluation.objects.filter(pk=evaluation.pk).exists() and evaluation.events.exists()
