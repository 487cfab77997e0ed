"""A Celery task survives a worker killed with SIGKILL in the middle of it: the broker re-delivers it (late
acknowledgement, a short visibility timeout here), another worker runs it, and its work is done exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from core.models import Notification, OutboxMessage

CELERY = str(Path(sys.executable).with_name("celery"))


def start_worker(redis_url: str, name: str, log: Path) -> subprocess.Popen:
    database = connection.settings_dict
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DATABASE_URL": f"postgis://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "CELERY_RESTORE_SWEEP_SECONDS": "1",
    }
    args = [CELERY, "-A", "citymgmt", "worker", "--pool=solo", "-n", f"{name}@%h", "-l", "INFO"]
    args += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    return subprocess.Popen(args, cwd=settings.BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_a_task_of_a_killed_worker_runs_again_elsewhere_and_finishes_once(private_redis, make_user, tmp_path):
    from citymgmt.celery import app

    user = make_user("someone", "operator")
    marker = tmp_path / "starts"
    message = OutboxMessage.objects.create(
        handler="tests.core.outbox_handlers.slow_first_time", payload={"user_id": user.pk, "marker": str(marker)}
    )
    first = start_worker(private_redis.url(), "first", tmp_path / "first.log")
    second = None
    try:
        app.send_task("core.tasks.relay_outbox", ignore_result=True)
        wait_for(lambda: marker.exists(), 60, "the first worker to start the task")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert not Notification.objects.filter(recipient=user).exists()

        second = start_worker(private_redis.url(), "second", tmp_path / "second.log")
        wait_for(lambda: Notification.objects.filter(recipient=user).exists(), 120, "the task to run again")
        time.sleep(3)  # room for a wrong second run to show itself
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                os.kill(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
    assert marker.read_text().count("start") == 2  # started twice ...
    assert Notification.objects.filter(recipient=user).count() == 1  # ... finished once
    message.refresh_from_db()
    assert message.delivered_at is not None and message.attempts == 1  # the killed attempt left no trace
