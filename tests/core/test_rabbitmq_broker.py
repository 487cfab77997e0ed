"""RabbitMQ, the production broker: each kind of work on its own durable queue, consumed only by the workers that
listen on it, and a task whose worker is killed mid-run goes back to its queue (late acknowledgement) and finishes
once on another worker. Real workers on the machine's RabbitMQ (127.0.0.1:5672, guest), isolated from every other
run by a queue prefix of their own; the queues are deleted afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from kombu import Connection

from citymgmt.celery import app as project_app
from citymgmt.queues import QUEUE_NAMES, celery_queue_settings
from core.models import Notification, OutboxMessage

BROKER_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")
CELERY = str(Path(sys.executable).with_name("celery"))


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


class Rabbit:
    """Publishing and workers under one queue prefix on the shared broker."""

    def __init__(self, tmp_path: Path) -> None:
        self.prefix = f"test-{uuid.uuid4().hex[:10]}-"
        self.tmp_path = tmp_path
        self.workers: list[subprocess.Popen] = []
        # A publisher configured exactly as the project's app, from the same queue and route table.
        self.app = Celery("publisher", broker=BROKER_URL, set_as_current=False)
        self.app.conf.update(celery_queue_settings(self.prefix))

    def send(self, task: str, **kwargs) -> str:
        task_id = uuid.uuid4().hex
        self.app.send_task(task, kwargs=kwargs, task_id=task_id, ignore_result=True)
        return task_id

    def log(self, name: str) -> str:
        path = self.tmp_path / f"{name}.log"
        return path.read_text() if path.exists() else ""

    def start_worker(self, name: str, *queues: str) -> subprocess.Popen:
        database = connection.settings_dict
        env = {
            **os.environ,
            "CELERY_BROKER_URL": BROKER_URL,
            "CELERY_QUEUE_PREFIX": self.prefix,
            "DATABASE_URL": f"postgis://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        }
        args = [CELERY, "-A", "citymgmt", "worker", "--pool=solo", "-n", f"{name}-{self.prefix}@%h", "-l", "INFO"]
        args += ["-Q", ",".join(self.prefix + queue for queue in queues)]
        args += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        log = (self.tmp_path / f"{name}.log").open("w")
        worker = subprocess.Popen(args, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.workers.append(worker)
        wait_for(lambda: "ready." in self.log(name), 60, f"worker {name} to be ready")
        return worker

    def close(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                os.kill(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
        with Connection(BROKER_URL) as conn:
            channel = conn.channel()
            for name in QUEUE_NAMES:
                channel.queue_delete(self.prefix + name)


@pytest.fixture
def rabbit(tmp_path):
    try:
        with Connection(BROKER_URL, connect_timeout=3) as conn:
            conn.connect()
    except Exception as exc:  # the machines run RabbitMQ: an unreachable broker is a failure, not a skip
        pytest.fail(f"RabbitMQ at {BROKER_URL} is unreachable ({exc}): start rabbitmq-server (README: Deployment)")
    broker = Rabbit(tmp_path)
    try:
        yield broker
    finally:
        broker.close()


def test_every_task_has_a_declared_queue_and_the_long_work_stays_off_the_default_one():
    project_app.loader.import_default_modules()
    declared = {queue.name for queue in project_app.amqp.queues.values()}
    routes = {
        name: project_app.amqp.router.route({}, name)["queue"].name
        for name in project_app.tasks
        if not name.startswith("celery.")
    }
    assert set(routes.values()) <= declared
    assert routes["cases.tasks.mark_overdue"] == "default"
    assert routes["core.tasks.relay_outbox"] == "default"
    assert routes["core.tasks.run_import_job"] == "exports"
    assert routes["evaluation.tasks.rebuild_rollups"] == "rollups"
    assert routes["exchange.networking.tasks.deliver"] == "exchange"
    assert routes["core.messaging.tasks.send_delivery"] == "notifications"
    assert project_app.amqp.router.route({}, "cases.tasks.export_cases")["queue"].name == "exports"
    assert all(queue.durable for queue in project_app.amqp.queues.values())


@pytest.mark.django_db(transaction=True)
def test_a_rollup_task_is_consumed_only_by_the_rollups_worker(rabbit):
    rabbit.start_worker("general", "default", "exports", "exchange", "notifications")
    rabbit.start_worker("rollups", "rollups")
    rollup = rabbit.send("evaluation.tasks.sync_facts")
    overdue = rabbit.send("cases.tasks.mark_overdue")
    wait_for(lambda: f"[{rollup}] succeeded" in rabbit.log("rollups"), 60, "the rollups worker to run sync_facts")
    wait_for(lambda: f"[{overdue}] succeeded" in rabbit.log("general"), 60, "the general worker to run mark_overdue")
    assert rollup not in rabbit.log("general")
    assert overdue not in rabbit.log("rollups")


@pytest.mark.django_db(transaction=True)
def test_a_task_of_a_killed_worker_goes_back_to_rabbitmq_and_finishes_once(rabbit, make_user, tmp_path):
    user = make_user("someone", "operator")
    marker = tmp_path / "starts"
    message = OutboxMessage.objects.create(
        handler="tests.core.outbox_handlers.slow_first_time", payload={"user_id": user.pk, "marker": str(marker)}
    )
    first = rabbit.start_worker("first", "default")
    rabbit.send("core.tasks.relay_outbox")
    wait_for(marker.exists, 60, "the first worker to start the task")
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert not Notification.objects.filter(recipient=user).exists()

    # No beat runs here: only the broker's re-delivery can bring the relay back.
    rabbit.start_worker("second", "default")
    wait_for(lambda: Notification.objects.filter(recipient=user).exists(), 60, "the task to run again")
    time.sleep(2)  # room for a wrong second run to show itself
    assert marker.read_text().count("start") == 2  # started twice ...
    assert Notification.objects.filter(recipient=user).count() == 1  # ... finished once
    message.refresh_from_db()
    assert message.delivered_at is not None and message.attempts == 1
