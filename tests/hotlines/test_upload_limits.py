"""Hotline order uploads: hostile workbooks refused at the page and by the command with nothing written; a big file
imported by a job; the export writes any content starting with =, +, -, @ as text."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from core.imports import run
from core.models import ImportJob
from hotlines.models import WorkOrder
from tests.hostile import FORMULAS, far_cell_xlsx, zip_bomb_xlsx
from tests.hotlines.test_import import GOOD, HEADER, workbook

pytestmark = pytest.mark.django_db

HOSTILE = {"far cell": far_cell_xlsx(HEADER), "zip bomb": zip_bomb_xlsx(40)}
ON_THE_PAGE = {"far cell": "最多接受 500,000 行", "zip bomb": "压缩炸弹"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_the_page_refuses_a_hostile_workbook(client, cast, kind):
    client.force_login(cast["operator"])
    started = time.perf_counter()
    response = client.post("/hotlines/import/", {"file": SimpleUploadedFile("orders.xlsx", HOSTILE[kind])})
    assert time.perf_counter() - started < 5
    assert ON_THE_PAGE[kind] in response.content.decode()
    assert not WorkOrder.objects.exists() and not ImportJob.objects.exists()


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_the_command_refuses_a_hostile_workbook(cast, tmp_path, kind):
    path = tmp_path / "orders.xlsx"
    path.write_bytes(HOSTILE[kind])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_hotline_orders", str(path), "--user", "operator", stderr=err)
    assert "row 0: file:" in err.getvalue() and not WorkOrder.objects.exists()


def test_a_big_file_is_imported_by_a_job(client, cast, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_BACKGROUND_ROWS = 2
    client.force_login(cast["operator"])
    with django_capture_on_commit_callbacks() as queued:
        response = client.post("/hotlines/import/", {"file": workbook(GOOD)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    assert len(queued) == 1 and job.kind == "hotline_orders" and not WorkOrder.objects.exists()
    assert run(job.pk) == "done"
    job.refresh_from_db()
    assert job.report["created"] == 2 and WorkOrder.objects.count() == 2
    assert run(job.pk) == "skipped" and WorkOrder.objects.count() == 2
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert 'id="import-report"' in page


def test_the_export_writes_formula_like_content_as_text(client, cast, receive_order):
    for text in FORMULAS[:4]:
        receive_order(content=text, address=text, caller_name="@x")
    client.force_login(cast["operator"])
    response = client.get("/hotlines/export/")
    assert response.status_code == 200
    sheets = zipfile.ZipFile(io.BytesIO(response.content))
    assert not any(b"<f>" in sheets.read(n) for n in sheets.namelist() if n.startswith("xl/worksheets/"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2))
    contents = {row[6].value for row in rows}
    assert contents == set(FORMULAS[:4]) and all(row[6].data_type == "s" for row in rows)
