"""Import jobs: progress written through a connection of its own is seen while the importer's transaction is still
open (the job page's bar moves), and a job is taken by one worker only."""

from __future__ import annotations

import pytest
from django.db import transaction

from core.imports import Progress, claim
from core.models import ImportJob


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_import_transaction_is_open(make_user):
    user = make_user("uploader", "admin")
    job = ImportJob.objects.create(kind="components", file="imports/x.csv", filename="x.csv", created_by=user)
    assert claim(job.pk) and not claim(job.pk)  # a second delivery finds it taken
    progress = Progress(job.pk)
    try:
        with transaction.atomic():  # as the importer's own transaction
            progress(1500, force=True)
            progress(1600)  # throttled: within the second
            assert ImportJob.objects.get(pk=job.pk).rows_done == 1500
    finally:
        progress.close()
    job.refresh_from_db()
    assert job.status == "running" and job.heartbeat_at is not None and job.attempts == 1


@pytest.mark.django_db
def test_admins_list_jobs_read_only(client, personas):
    ImportJob.objects.create(kind="components", file="imports/x.csv", filename="x.csv", created_by=personas["admin"])
    client.force_login(personas["admin"])
    page = client.get("/admin/core/importjob/")
    assert page.status_code == 200 and "x.csv" in page.content.decode()
    assert client.get("/admin/core/importjob/add/").status_code == 403
