"""A redis-server of the test's own on a spare loopback port, to stop and restart at will (never the shared one).

``private_redis`` starts Debian's ``redis-server`` (no persistence) and points the cache, the Celery broker and
``REDIS_URL`` at it; ``kill()`` ends it by its PID with SIGKILL and ``start()`` brings it back on the same port.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    def __init__(self) -> None:
        self.port = spare_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url(), socket_connect_timeout=0.5)

    def start(self) -> None:
        args = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


def point_celery_at(url: str) -> None:
    """Make the project's Celery app publish to *url* (its connection pools are rebuilt on next use)."""
    from citymgmt.celery import app

    app.conf.broker_url = url
    app.conf.result_backend = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def private_redis(settings):
    server = PrivateRedis()
    server.start()
    from citymgmt.celery import app

    previous = (app.conf.broker_url, app.conf.result_backend)
    settings.REDIS_URL = server.url()
    settings.CACHES = {  # Django rebuilds its cache connections on this change
        "default": {**settings.CACHES["default"], "LOCATION": server.url(), "OPTIONS": {"RETRY_AFTER": 0}},
    }
    point_celery_at(server.url())
    try:
        yield server
    finally:
        server.kill()
        point_celery_at(previous[0])
        app.conf.result_backend = previous[1]
