"""Upward exchange benchmark: outbox delivery to a local receiver, records per second.

    .venv/bin/python bench/exchange.py [--records 50000] [--batch 500]

(Re)creates the database named by BENCH_DATABASE_URL (default postgis://postgres@127.0.0.1:5432/citymgmt_bench_exchange),
migrates it, starts a receiver in a separate process on 127.0.0.1 (http.server, checks every batch's HMAC-SHA256
signature and answers each record "accepted", as a provincial platform would), and prints:

- queueing: ``exchange.networking.services.queue`` writing N case records (realistic payloads of ~2 KB, nine steps
  each) with their versions, 1,000 per transaction, records per second;
- delivery: ``exchange.networking.delivery.deliver_peer`` sending the whole queue in signed batches of ``--batch``
  and recording every acknowledgement, records per second (target ≥ 2,000/s), for two batch sizes;
- that the receiver got every record exactly once;
- the CPU time the sender, the receiver and the PostgreSQL backend spent (from /proc), as records per CPU-second:
  on a shared, loaded machine the wall-clock rate measures the load as much as the code.

Only 127.0.0.1 is contacted. Benchmarks report; they never fail a build: the exit status is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_URL = "postgis://postgres@127.0.0.1:5432/citymgmt_bench_exchange"
SECRET = "bench-shared-secret-0123456789"
TARGET = 2000


def receive(port_queue, counts) -> None:
    """The receiver process: verifies the signature, answers every record accepted, counts what it got."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: set[tuple[str, int]] = set()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            stamp, nonce = self.headers["X-Exchange-Timestamp"], self.headers["X-Exchange-Nonce"]
            expected = hmac.new(SECRET.encode(), f"{stamp}\n{nonce}\n".encode() + body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest("sha256=" + expected, self.headers["X-Exchange-Signature"]):
                self.send_response(401)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            records = json.loads(body)["records"]
            results = []
            for record in records:
                key = (record["id"], record["version"])
                counts[1 if key in seen else 0] += 1
                seen.add(key)
                results.append(
                    {"kind": record["kind"], "id": record["id"], "version": record["version"], "status": "accepted"}
                )
            answer = json.dumps({"results": results}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (from /proc; Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def case_payload(n: int) -> tuple[str, dict]:
    """A case record shaped as records.case_record makes it (nine steps, on-time flags, codes, place)."""
    case_no = f"20261203-{n:06d}"
    actions = ["report", "accept", "register", "dispatch", "sign", "dispose", "send_check", "check", "close"]
    steps = [
        {
            "action": action,
            "name": action,
            "at": f"2026-12-03T{8 + i:02d}:{n % 60:02d}:00+08:00",
            "from": "",
            "to": action,
            "role": "operator",
            "on_time": True,
        }
        for i, action in enumerate(actions)
    ]
    return case_no, {
        "case_no": case_no,
        "kind": "event",
        "class_code": "06010",
        "class_name": "暴露垃圾",
        "class_standard": "GB/T 47678.5-2026",
        "source": "collector",
        "urgency": "normal",
        "status": "closed",
        "description": "路边暴露垃圾，成堆成片生活垃圾，影响市容，请尽快清运。" * 2,
        "address": f"璧城街道东关路{n % 300}号",
        "lng": 106.2005,
        "lat": 29.6005,
        "grid_code": "500120001001001",
        "community_code": "500120001001",
        "street_code": "500120001",
        "district_code": "500120",
        "department": {"code": "sanitation", "name": "环卫所"},
        "reported_at": "2026-12-03T08:00:00+08:00",
        "received_at": "2026-12-03T08:00:01+08:00",
        "disposal_deadline": "2026-12-03T12:00:00+08:00",
        "closed_at": "2026-12-03T16:00:00+08:00",
        "is_overdue": False,
        "is_urged": False,
        "counts": {"urge": 0, "rework": 0, "return": 0, "extension": 0, "suspension": 0},
        "on_time": {"accepted": True, "registered": True, "dispatched": True, "disposed": True, "closed": True},
        "steps": steps,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citymgmt.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    from base_map import Report, recreate_database

    print(f"recreating {url} …", flush=True)
    recreate_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from exchange.networking.delivery import deliver_peer
    from exchange.networking.models import Delivery, Peer
    from exchange.networking.services import clear_peer_cache, queue

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - start:.1f} s", flush=True)

    context = multiprocessing.get_context("spawn")
    ports, counts = context.Queue(), context.Array("l", 2)
    receiver = context.Process(target=receive, args=(ports, counts), daemon=True)
    receiver.start()
    port = ports.get(timeout=30)
    report = Report()
    try:
        for label, batch, records in (("", args.batch, args.records), (" (batches of 100)", 100, args.records // 5)):
            Peer.objects.all().delete()
            peer = Peer.objects.create(
                code="bench",
                name="bench",
                level="provincial",
                url=f"http://127.0.0.1:{port}/upload",
                secret=SECRET,
                feeds=["cases"],
                batch_size=batch,
            )
            clear_peer_cache()
            offset = 0 if not label else args.records
            start = time.perf_counter()
            for first in range(offset, offset + records, 1000):
                with transaction.atomic():
                    queue("case", [case_payload(n) for n in range(first, min(first + 1000, offset + records))])
            elapsed = time.perf_counter() - start
            report.add(f"queueing {records:,} case records{label}", records / elapsed, "records/s")
            before = counts[0]
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
            pids = {"sender": os.getpid(), "receiver": receiver.pid, "PostgreSQL": backend}
            cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            start = time.perf_counter()
            outcome = deliver_peer(peer.pk, force=True, budget_seconds=3600)
            elapsed = time.perf_counter() - start
            cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
            print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
            acknowledged = Delivery.objects.filter(peer=peer, state="acknowledged").count()
            report.add(
                f"delivery, signed batches of {batch}{label}",
                outcome["records"] / elapsed,
                "records/s",
                f"≥ {TARGET:,}",
                outcome["records"] / elapsed >= TARGET,
            )
            for name, seconds in cpu.items():
                report.add(f"  CPU of the {name}{label}", outcome["records"] / max(seconds, 1e-6), "records/CPU-s")
            total = sum(cpu.values())
            report.add(f"  all three on one idle core{label}", outcome["records"] / max(total, 1e-6), "records/s")
            report.add(f"acknowledged{label}", acknowledged, f"of {records:,}", "all", acknowledged == records)
            report.add(f"received once{label}", counts[0] - before, f"(duplicates {counts[1]})", "all", counts[1] == 0)
    finally:
        receiver.terminate()
    report.print()


if __name__ == "__main__":
    main()
