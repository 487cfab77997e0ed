"""An import job end to end with a real Celery worker: a private redis-server on a spare loopback port as broker
(started and killed by its PID here, never the shared one), a worker subprocess on the test database; the upload
page's request stores the file, the worker imports it, the job page's progress JSON reports the end."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.fixtures.component_files import row, write_csv

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def private_broker():
    port = _free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    server.kill()
    server.wait(timeout=10)


def _use_broker(app, url: str) -> None:
    """Point the Celery app at *url*: its connection pools are dropped and built again on the next send."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url


@pytest.fixture
def worker(private_broker, tmp_path, settings):
    from citymgmt.celery import app

    database = django_settings.DATABASES["default"]
    url = f"postgis://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": private_broker, "MEDIA_ROOT": str(media)}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "citymgmt", "worker", "-P", "solo", "-l", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    old = app.conf.broker_url
    _use_broker(app, private_broker)  # this process sends to the private broker too
    yield process
    _use_broker(app, old)
    process.kill()
    process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_a_worker_imports_a_big_upload_while_the_page_follows(worker, town, client, personas, tmp_path, settings):

    from core.models import ImportJob
    from grids.models import Component

    settings.IMPORT_BACKGROUND_ROWS = 5
    client.force_login(personas["admin"])
    path = write_csv(tmp_path / "big.csv", [row(n) for n in range(1, 21)])
    with open(path, "rb") as handle:
        response = client.post("/admin/grids/component/import/", {"file": handle})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    deadline = time.monotonic() + 60
    progress = {}
    while time.monotonic() < deadline:
        progress = client.get(f"/imports/{job.pk}/progress.json").json()
        if progress["finished"]:
            break
        time.sleep(0.5)
    assert progress.get("status") == "done", progress
    assert Component.objects.count() == 20
    assert "共读取 20 行：新增 20" in client.get(f"/imports/{job.pk}/").content.decode()
