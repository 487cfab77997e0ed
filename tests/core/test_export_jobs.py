"""Export jobs (导出任务): above EXPORT_INLINE_MAX_ROWS the case and work-order exports become Celery jobs, run by the
real task function; the file is written once however often the task runs, downloaded only by its requester (audited),
neutralised like the streamed export, and purged after its day. Below the threshold the export streams as before."""

from __future__ import annotations

import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from openpyxl import load_workbook

from cases.services import perform
from core.models import AuditEntry, ExportJob, ExportJobStatus, OutboxMessage
from core.tasks import run_export_job, tend_export_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_threshold(settings, tmp_path):
    settings.EXPORT_INLINE_MAX_ROWS = 2
    settings.MEDIA_ROOT = str(tmp_path)  # a folder of this test's own: the files it finds are the ones it made


def _dispatched(new_case, cast, wf_class, department, **fields):
    case = new_case(**fields)
    perform(case.pk, "accept", cast["operator"])
    perform(case.pk, "register", cast["leader"], condition=wf_class["condition"].pk)
    return perform(case.pk, "dispatch", cast["dispatcher"], department=department.pk)


def _rows(body: bytes) -> list[tuple]:
    return list(load_workbook(BytesIO(body)).active.iter_rows(values_only=True))


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _queued_tasks(job: ExportJob) -> int:
    return OutboxMessage.objects.filter(
        handler="core.outbox.publish_task", payload__task="core.tasks.run_export_job", payload__kwargs__job_id=job.pk
    ).count()


def test_a_long_api_export_becomes_a_job_written_once_and_downloaded_by_its_requester(
    new_case, cast, wf_class, department, other_department, api_as
):
    formula = '=HYPERLINK("http://x","{}")'
    ours = [_dispatched(new_case, cast, wf_class, department, description=formula.format(n)) for n in range(3)]
    theirs = _dispatched(new_case, cast, wf_class, other_department)
    client = api_as(cast["handler"])

    first = client.get("/api/v1/cases/export/")
    assert first.status_code == 202 and first.json()["status"] == "queued" and first.json()["download_url"] is None
    again = client.get("/api/v1/cases/export/")  # a second click while it waits: the same job, no second task
    assert again.status_code == 202 and again.json()["id"] == first.json()["id"]
    job = ExportJob.objects.get(pk=first.json()["id"])
    assert ExportJob.objects.count() == 1 and _queued_tasks(job) == 1

    assert run_export_job(job.pk) == ExportJobStatus.DONE
    assert run_export_job(job.pk) == "skipped"  # a duplicated message: nothing more
    job.refresh_from_db()
    assert job.status == ExportJobStatus.DONE and job.rows_done == 3 and job.rows_total == 3
    assert job.expires_at - job.finished_at == timedelta(hours=24)
    stored = default_storage.listdir(job.file.name.rsplit("/", 1)[0])[1]
    assert stored == [job.file.name.rsplit("/", 1)[1]]  # one file only

    status = client.get(first.json()["status_url"]).json()
    assert status["finished"] and status["percent"] == 100 and status["download_url"].endswith("/download/")
    download = client.get(status["download_url"])
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    body = _body(download)
    _header, *rows = _rows(body)
    assert sorted(r[0] for r in rows) == sorted(c.case_no for c in ours) and theirs.case_no not in str(rows)
    archive = zipfile.ZipFile(BytesIO(body))  # formula-like text written as text
    assert not any(b"<f>" in archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert all(r[10].startswith("=HYPERLINK") for r in rows)

    steps = list(
        AuditEntry.objects.filter(action="export", object_id=str(job.pk)).order_by("id").values_list("data", flat=True)
    )
    assert [s["step"] for s in steps] == ["queued", "written", "downloaded"]

    # Nobody else learns of it: another handler, the dispatcher (who sees more) and anonymous callers.
    for other in (cast["other_handler"], cast["dispatcher"]):
        assert api_as(other).get(status["download_url"]).status_code == 404
        assert api_as(other).get(first.json()["status_url"]).status_code == 404
    assert AuditEntry.objects.filter(action="export", data__step="downloaded").count() == 1


def test_the_console_export_redirects_to_the_job_page_with_its_bar_then_its_link(
    new_case, cast, wf_class, department, client
):
    for _ in range(3):
        _dispatched(new_case, cast, wf_class, department)
    client.force_login(cast["handler"])
    response = client.get("/cases/export.xlsx")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"
    page = client.get(response["Location"])
    assert b'id="job-progress"' in page.content and b"export-download" not in page.content
    assert b"job_progress.js" in page.content and b"<script>" not in page.content  # no inline script (CSP)
    progress = client.get(f"/exports/{job.pk}/progress.json").json()
    assert progress["status"] == "queued" and not progress["finished"]

    run_export_job(job.pk)
    page = client.get(f"/exports/{job.pk}/")
    assert b'id="export-download"' in page.content
    download = client.get(f"/exports/{job.pk}/download/")
    assert download.status_code == 200 and len(_rows(_body(download))) == 4
    client.force_login(cast["other_handler"])
    assert client.get(f"/exports/{job.pk}/").status_code == 404
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404


def test_below_the_threshold_the_export_streams_at_once(new_case, cast, wf_class, department, api_as):
    _dispatched(new_case, cast, wf_class, department)
    response = api_as(cast["handler"]).get("/api/v1/cases/export/")
    assert response.status_code == 200 and response["X-Row-Count"] == "1"
    assert not ExportJob.objects.exists()


def test_work_order_exports_mask_phones_in_the_job_too(client, cast, department, receive_order, api_as):
    from hotlines import services

    for _ in range(3):
        order = receive_order(caller_phone="13812341234")
        services.transfer(order.pk, cast["operator"], department=department.pk)
    client.force_login(cast["handler"])
    response = client.get("/hotlines/export/")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.kind == "hotline_orders"
    run_export_job(job.pk)
    rows = _rows(_body(client.get(f"/exports/{job.pk}/download/")))[1:]
    assert len(rows) == 3 and {r[4] for r in rows} == {"138****1234"}

    api = api_as(cast["operator"]).get("/api/v1/hotline/orders/export/", {"status": "transferred"})
    assert api.status_code == 202
    api_job = ExportJob.objects.get(pk=api.json()["id"])
    assert api_job.options["filters"] == {"status": ["transferred"]}
    run_export_job(api_job.pk)
    download_url = api_as(cast["operator"]).get(api.json()["status_url"]).json()["download_url"]
    rows = _rows(_body(api_as(cast["operator"]).get(download_url)))[1:]
    assert {r[4] for r in rows} == {"13812341234"}  # the operator may see phones


def test_the_file_is_purged_after_its_day_and_a_requester_who_lost_the_right_loses_the_file(
    new_case, cast, wf_class, department, api_as
):
    for _ in range(3):
        _dispatched(new_case, cast, wf_class, department)
    client = api_as(cast["handler"])
    job = ExportJob.objects.get(pk=client.get("/api/v1/cases/export/").json()["id"])
    run_export_job(job.pk)
    job.refresh_from_db()
    name = job.file.name
    assert default_storage.exists(name)

    assert tend_export_jobs() == {"requeued": 0, "purged": 0}  # still within its day
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tend_export_jobs()["purged"] == 1
    assert tend_export_jobs()["purged"] == 0  # safe to run twice
    job.refresh_from_db()
    assert job.status == ExportJobStatus.EXPIRED and not job.file and not default_storage.exists(name)
    assert client.get(f"/api/v1/export-jobs/{job.pk}/download/").status_code == 404
    assert client.get(f"/api/v1/export-jobs/{job.pk}/").json()["status"] == "expired"

    # A job whose requester is no longer allowed to export: not visible any more.
    fresh = ExportJob.objects.create(
        kind="cases", permission="cases.view_case", request_key="k", created_by=cast["finance"]
    )
    assert api_as(cast["finance"]).get(f"/api/v1/export-jobs/{fresh.pk}/").status_code == 404


def test_a_lost_message_is_sent_again_and_the_job_still_runs_once(new_case, cast, wf_class, department, api_as):
    for _ in range(3):
        _dispatched(new_case, cast, wf_class, department)
    job = ExportJob.objects.get(pk=api_as(cast["handler"]).get("/api/v1/cases/export/").json()["id"])
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=30))
    assert tend_export_jobs()["requeued"] == 1
    assert _queued_tasks(job) == 2
    assert run_export_job(job.pk) == ExportJobStatus.DONE and run_export_job(job.pk) == "skipped"
    assert tend_export_jobs()["requeued"] == 0
