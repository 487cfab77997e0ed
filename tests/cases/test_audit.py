"""Case exports in the audit log; the admin cannot rewrite or delete a case's history."""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError

from cases.models import Case
from core.choices import AuditAction
from core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _latest(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).order_by("-id").first()


def test_the_api_export_records_filters_and_row_count(new_case, cast, api_as):
    new_case()
    new_case()
    response = api_as(cast["dispatcher"]).get("/api/v1/cases/export/", {"status": "reported"})
    assert response.status_code == 200
    entry = _latest(AuditAction.EXPORT)
    assert entry.actor == cast["dispatcher"] and entry.role == "dispatcher"
    assert entry.data == {"export": "cases", "filters": {"status": "reported"}, "rows": 2}


def test_the_console_export_records_the_queue_and_filters(new_case, cast, client):
    new_case()
    client.force_login(cast["operator"])
    response = client.get("/cases/export.xlsx", {"q": "垃圾"})
    assert response.status_code == 200
    entry = _latest(AuditAction.EXPORT)
    assert entry.actor == cast["operator"] and entry.data["filters"] == {"q": "垃圾"}
    assert entry.data["rows"] == int(response["X-Row-Count"]) and entry.data["queue"]


def test_a_case_with_events_is_never_deleted_with_them(new_case, cast, client):
    case = new_case()
    assert case.events.exists()
    with pytest.raises(ProtectedError):
        Case.objects.filter(pk=case.pk).delete()

    admin = cast["admin"]
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    page = client.get(f"/admin/cases/case/{case.pk}/delete/")
    assert page.status_code == 200 and "无法删除" in page.content.decode()
    client.post(f"/admin/cases/case/{case.pk}/delete/", {"post": "yes"})
    assert Case.objects.filter(pk=case.pk).exists()


def test_the_admin_cannot_change_a_cases_workflow_fields(new_case, cast, client, other_department):
    case = new_case()
    admin = cast["admin"]
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    client.post(
        f"/admin/cases/case/{case.pk}/change/",
        {"status": "closed", "department": other_department.pk, "description": "改写"},
    )
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.department_id, fresh.description) == (case.status, case.department_id, case.description)
