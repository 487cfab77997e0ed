"""Component uploads cannot exhaust a worker: hostile files are refused at the admin page and by the command before
parsing, with nothing written; a file above IMPORT_BACKGROUND_ROWS becomes an import job that a worker runs (here
the task body, called directly after checking the request did not parse the file), with progress and the report."""

from __future__ import annotations

import io
import resource
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from core.imports import run
from core.models import ImportJob
from grids.models import Component
from tests.fixtures.component_files import row, write_csv
from tests.hostile import far_cell_xlsx, zip_bomb_xlsx

pytestmark = pytest.mark.django_db

HOSTILE = {"far cell": far_cell_xlsx(["identifier", "class_code", "lng", "lat"]), "zip bomb": zip_bomb_xlsx(40)}
EXPECTED = {"far cell": "1,048,576", "zip bomb": "zip bomb"}
ON_THE_PAGE = {"far cell": "最多接受 500,000 行", "zip bomb": "压缩炸弹"}  # the console speaks Chinese


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def admin_client(client, personas):
    client.force_login(personas["admin"])
    return client


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_the_admin_page_refuses_a_hostile_workbook_quickly_and_writes_nothing(admin_client, town, kind):
    before = _peak_rss_kb()
    started = time.perf_counter()
    upload = SimpleUploadedFile("components.xlsx", HOSTILE[kind])
    response = admin_client.post("/admin/grids/component/import/", {"file": upload})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and ON_THE_PAGE[kind] in response.content.decode()
    # The whole request (admin page rendered, on a loaded machine) well under the seconds a parse would take; the
    # refusal alone is timed in milliseconds in tests/core/test_spreadsheets.py.
    assert elapsed < 5 and _peak_rss_kb() - before < 50 * 1024  # the process peak grew by less than 50 MB
    assert not Component.objects.exists() and not ImportJob.objects.exists()


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_the_command_refuses_a_hostile_workbook(town, tmp_path, kind):
    path = tmp_path / "components.xlsx"
    path.write_bytes(HOSTILE[kind])
    out = io.StringIO()
    started = time.perf_counter()
    with pytest.raises(CommandError):
        call_command("import_components", str(path), stdout=out)
    assert time.perf_counter() - started < 2
    assert EXPECTED[kind] in out.getvalue() and not Component.objects.exists()


def test_a_big_file_becomes_a_job_the_worker_runs_once(
    admin_client,
    town,
    tmp_path,
    settings,
    personas,
    make_user,
    django_capture_on_commit_callbacks,
):
    settings.IMPORT_BACKGROUND_ROWS = 5
    path = write_csv(tmp_path / "big.csv", [row(n) for n in range(1, 9)])
    with open(path, "rb") as handle, django_capture_on_commit_callbacks() as queued:
        response = admin_client.post("/admin/grids/component/import/", {"file": handle, "skip_invalid": "on"})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    assert len(queued) == 1  # the task is sent after commit
    # The request stored the file and parsed nothing.
    assert job.status == "queued" and job.rows_total == 9 and job.kind == "components"
    assert job.options["skip_invalid"] is True and not Component.objects.exists()
    page = admin_client.get(f"/imports/{job.pk}/")
    assert b'id="job-progress"' in page.content and b"core/import_job.js" in page.content
    assert b"<script>" not in page.content  # no inline script
    assert admin_client.get(f"/imports/{job.pk}/progress.json").json()["status"] == "queued"

    assert run(job.pk) == "done"
    assert run(job.pk) == "skipped"  # a re-delivered message finds the job taken
    job.refresh_from_db()
    assert job.status == "done" and job.report["created"] == 8 and job.report["written"]
    assert Component.objects.count() == 8
    progress = admin_client.get(f"/imports/{job.pk}/progress.json").json()
    assert progress["finished"] and progress["percent"] == 100
    page = admin_client.get(f"/imports/{job.pk}/").content.decode()
    assert 'id="import-report"' in page and "共读取 8 行：新增 8" in page

    # Only the uploader and admins see a job.
    outsider = make_user("outsider", "dispatcher")
    admin_client.force_login(outsider)
    assert admin_client.get(f"/imports/{job.pk}/").status_code == 404
    assert admin_client.get(f"/imports/{job.pk}/progress.json").status_code == 404


def test_a_job_with_bad_rows_reports_them_by_number(town, tmp_path, settings, personas):
    from core.imports import start_job

    path = write_csv(tmp_path / "bad.csv", [row(1), row(2, class_code="99999")])
    with open(path, "rb") as handle:
        job = start_job("components", SimpleUploadedFile("bad.csv", handle.read()), personas["admin"], rows=3)
    assert run(job.pk) == "done"
    job.refresh_from_db()
    assert {e["row"] for e in job.report["errors"]} == {3} and "class_code" in str(job.report["errors"])
    assert not job.report["written"] and not Component.objects.exists()


def test_the_sweep_requeues_jobs_left_queued(town, settings, personas, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from core.imports import requeue_stale, start_job

    job = start_job("components", SimpleUploadedFile("a.csv", b"identifier\n"), personas["admin"], rows=1)
    with django_capture_on_commit_callbacks() as queued:
        assert requeue_stale() == 0  # just uploaded: its message is on its way
        ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=6))
        assert requeue_stale() == 1
    assert len(queued) == 1
    ImportJob.objects.filter(pk=job.pk).update(attempts=3)
    requeue_stale()
    assert ImportJob.objects.get(pk=job.pk).status == "failed"
