"""Notification channels benchmark: what the hook costs the code that notifies, and how fast deliveries go out.

    .venv/bin/python bench/messaging.py [--events 2000] [--sends 1000]

(Re)creates the database named by BENCH_DATABASE_URL (default postgis://postgres@127.0.0.1:5432/bench_messaging),
migrates it, makes one department with 200 handlers (each with a mobile number) and 4 dispatchers, and starts an SMS
gateway on 127.0.0.1 (http.server in a thread, answering ``{"code": "0"}``). Then it prints:

- ``save_all`` of *events* × 3 notifications with no rule for their kind (the hook's cost: one indexed query) and
  with a rule (one outbox row more), per call of 3,000 rows;
- routing (``core.messaging.services.route``, the outbox handler): deliveries written per second for *events*
  events reaching 3 handlers each;
- sending (``core.messaging.services.attempt``, the Celery task's body) of *sends* deliveries one after another to the
  local gateway: per second for one worker process, and the p95 of one send (lock, HTTP POST, log, commit).

Only 127.0.0.1 is contacted. Benchmarks report; they never fail a build. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.base_map import Report, percentile, recreate_database  # noqa: E402

DEFAULT_URL = "postgis://postgres@127.0.0.1:5432/bench_messaging"


class Gateway(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"code": "0", "message_id": "m"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--sends", type=int, default=1000)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citymgmt.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    print(f"benchmark database: {url} (recreated)", flush=True)
    recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from core.choices import Role
    from core.messaging import services
    from core.messaging.models import Channel, Delivery, Rule
    from core.models import Department, OutboxMessage, User
    from core.notifications import build
    from core.notifications import send_notifications as save_all

    call_command("migrate", verbosity=0)
    report = Report()
    department = Department.objects.create(code="bench", name="环卫所")
    handlers = User.objects.bulk_create(
        [User(username=f"h{i:03d}", role=Role.HANDLER, department=department, phone=f"138{i:08d}") for i in range(200)]
    )
    User.objects.bulk_create([User(username=f"d{i}", role=Role.DISPATCHER) for i in range(4)])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    gateway = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    channel = Channel.objects.create(name="短信网关", kind="sms", url=gateway, account="bench", token="pw")

    def rows(tag: str) -> list:
        out = []
        for n in range(args.events):
            people = [handlers[(n + k) % len(handlers)] for k in range(3)]
            out += build(people, "case_overdue", f"案件 {tag}{n} 超期", "/cases/1/", dedupe_key=f"{tag}:{n}")
        return out

    # ---- 1. the hook's cost in save_all ---------------------------------------------------------------------------
    for label, with_rule in (("no rule", False), ("a rule", True)):
        if with_rule:
            Rule.objects.create(kind="case_overdue", role=Role.HANDLER, channel=channel)
        batch = rows(label)
        start = time.perf_counter()
        with transaction.atomic():
            save_all(batch)
            connection.run_on_commit = []  # route below, timed on its own (no broker publishing either)
        elapsed = time.perf_counter() - start
        report.add(f"save_all of {len(batch):,} notifications, {label}", elapsed * 1000, "ms")

    # ---- 2. routing -----------------------------------------------------------------------------------------------
    events = [m.payload["events"] for m in OutboxMessage.objects.filter(handler=services.ROUTE)]
    start = time.perf_counter()
    created = 0
    for chunk in events:
        with transaction.atomic():
            created += services.route(chunk)
            connection.run_on_commit = []  # the sends are run below by hand, not through a broker
    elapsed = time.perf_counter() - start
    report.add(f"route: {created:,} deliveries written", created / elapsed, "deliveries/s")

    # ---- 3. sending -----------------------------------------------------------------------------------------------
    ids = list(Delivery.objects.filter(status="queued").order_by("id").values_list("pk", flat=True)[: args.sends])
    times = []
    start = time.perf_counter()
    for pk in ids:
        one = time.perf_counter()
        assert services.attempt(pk, 1) == "sent"
        times.append(time.perf_counter() - one)
    elapsed = time.perf_counter() - start
    report.add(f"send: {len(ids):,} SMS to the local gateway, one worker", len(ids) / elapsed, "sends/s")
    report.add("send: p95 of one delivery", percentile(times, 95) * 1000, "ms")
    report.print()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
