"""Benchmark: collector reports through the real API under gunicorn, against a bare one-insert Django view.

    .venv/bin/python bench/intake.py [--seconds 15] [--clients 4] [--workers 2]

It (re)creates a scratch database (``BENCH_DATABASE_URL``, default citymgmt_bench_intake), migrates it, seeds a
small demo city (the grids are what intake needs), starts gunicorn on 127.0.0.1 with ``bench.intake_settings``, and
drives it from client processes on this machine (keep-alive HTTP, each request a new ``client_uuid``):

- baseline: ``POST /bench/baseline/`` (a bare view inserting one row);
- framework floor: ``POST /bench/drf-floor/``, the same insert as a REST framework view with the platform's API
  settings (token authentication, permission, throttling, parsers, renderer): what the API stack itself costs;
- reports without photos: ``POST /api/v1/cases/`` (JSON, token auth);
- reports with one 200 KB JPEG each (multipart);
- batch sync: ``POST /api/v1/cases/batch/`` with 500 reports per request.

It prints requests (or reports) per second and latency percentiles against the issue's targets, and exits 0:
benchmarks report, they do not fail a build. Only 127.0.0.1 is contacted; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from functools import partial
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgis://postgres@127.0.0.1:5432/citymgmt_bench_intake"
# Inside the demo city (璧城街道), with jitter per request.
LNG, LAT = 106.2190, 29.5920


def _prepare(database_url: str) -> str:
    """Recreate the database, migrate, seed, and return the collector's API token."""
    target = urlparse(database_url)
    name = target.path.lstrip("/")
    admin = [
        "psql",
        "-h",
        target.hostname or "127.0.0.1",
        "-p",
        str(target.port or 5432),
        "-U",
        target.username or "postgres",
        "-d",
        "postgres",
        "-qc",
    ]
    subprocess.run([*admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)
    subprocess.run([*admin, f'CREATE DATABASE "{name}"'], check=True)
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "bench.intake_settings"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], check=True, env=env, cwd=ROOT)
    subprocess.run([*manage, "seed_city", "--scale", "0.01"], check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    code = (
        "from django.db import connection\n"
        "from core.tokens import issue\n"
        "from core.models import User\n"
        "connection.cursor().execute('CREATE TABLE IF NOT EXISTS bench_baseline "
        "(id bigserial PRIMARY KEY, payload text, at timestamptz DEFAULT now())')\n"
        "print(issue(User.objects.get(username='collector'), 'bench')[1])\n"
    )
    out = subprocess.run([*manage, "shell", "-c", code], check=True, env=env, cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (from /proc; Linux); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _serving_pids(server_pid: int, database_url: str) -> dict[int, str]:
    """The gunicorn workers ("app") and the PostgreSQL backends connected to the benchmark database ("db")."""
    target = urlparse(database_url)
    pids = {}
    for task in Path(f"/proc/{server_pid}/task").iterdir():
        for pid in (task / "children").read_text().split():
            pids[int(pid)] = "app"
    out = subprocess.run(
        [
            "psql",
            "-h",
            target.hostname or "127.0.0.1",
            "-p",
            str(target.port or 5432),
            "-U",
            target.username or "postgres",
            "-d",
            "postgres",
            "-Atc",
            f"SELECT pid FROM pg_stat_activity WHERE datname = '{target.path.lstrip('/')}'"
            " AND backend_type = 'client backend'",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    pids.update({int(pid): "db" for pid in out.stdout.split()})
    return pids


def _cpu_per_item(server_pid: int, database_url: str, run) -> tuple[dict, float, float]:
    """Run ``run()`` (returning its figures) and measure the CPU the server side spent per item: the gunicorn workers'
    and their database backends' CPU time (from /proc), which — unlike throughput — hardly depends on what else the
    shared machine is doing. Returns (figures, app ms per item, database ms per item)."""
    pids = _serving_pids(server_pid, database_url)
    before = {pid: _cpu_seconds(pid) for pid in pids}
    figures = run()
    spent = {"app": 0.0, "db": 0.0}
    for pid, kind in pids.items():
        spent[kind] += max(0.0, _cpu_seconds(pid) - before[pid])
    items = max(1, figures["items"])
    return figures, spent["app"] * 1000 / items, spent["db"] * 1000 / items


def _jpeg(size: int = 200 * 1024) -> bytes:
    from PIL import Image

    rng = random.Random(1)
    side = 512
    while True:
        image = Image.frombytes("RGB", (side, side), bytes(rng.getrandbits(8) for _ in range(side * side * 3)))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=92)
        if buffer.tell() >= size * 0.9:
            return buffer.getvalue()
        side += 64


def _report(rng: random.Random) -> dict:
    return {
        "client_uuid": str(uuid.uuid4()),
        "class_code": "06010",
        "lng": LNG + rng.uniform(-0.002, 0.002),
        "lat": LAT + rng.uniform(-0.002, 0.002),
        "description": "路边暴露垃圾",
        "address": "东林大道",
    }


def _multipart(fields: dict, photo: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="p.jpg"\r\n'
        f"Content-Type: image/jpeg\r\n\r\n".encode()
        + photo
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _client(args: tuple) -> tuple[int, int, list[float]]:
    """One client process: as many requests as it can until the deadline; returns (requests, items, latencies)."""
    port, scenario, token, seconds, seed, photo = args
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: list[float] = []
    items = requests = errors = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        headers = {"Authorization": f"Token {token}"}
        if scenario == "baseline":
            path, body, headers["Content-Type"], count = "/bench/baseline/", b'{"x": 1}', "application/json", 1
        elif scenario == "floor":
            path, body, headers["Content-Type"], count = "/bench/drf-floor/", b'{"x": 1}', "application/json", 1
        elif scenario == "report":
            path, count = "/api/v1/cases/", 1
            body, headers["Content-Type"] = json.dumps(_report(rng)).encode(), "application/json"
        elif scenario == "photo":
            path, count = "/api/v1/cases/", 1
            body, headers["Content-Type"] = _multipart(_report(rng), photo)
        else:
            path, count = "/api/v1/cases/batch/", 500
            body = json.dumps({"items": [_report(rng) for _ in range(count)]}).encode()
            headers["Content-Type"] = "application/json"
        began = time.perf_counter()
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        latencies.append((time.perf_counter() - began) * 1000)
        requests += 1
        if response.status in (200, 201):
            items += count
        else:
            errors += 1
    conn.close()
    return requests, items, latencies


def _run(port: int, scenario: str, token: str, seconds: float, clients: int, photo: bytes) -> dict:
    with multiprocessing.Pool(clients) as pool:
        started = time.perf_counter()
        results = pool.map(_client, [(port, scenario, token, seconds, i, photo) for i in range(clients)])
        elapsed = time.perf_counter() - started
    latencies = sorted(x for _, _, lat in results for x in lat)
    items = sum(r[1] for r in results)
    return {
        "requests": sum(r[0] for r in results),
        "items": items,
        "per_second": items / elapsed,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p99": latencies[int(len(latencies) * 0.99) - 1] if len(latencies) >= 100 else max(latencies, default=0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    token = _prepare(database_url)
    photo = _jpeg()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.intake_settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-" + uuid.uuid4().hex,
        "MEDIA_ROOT": "/tmp/citymgmt-bench-media",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "citymgmt.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request("GET", "/login/")
                break
            except OSError:
                time.sleep(0.2)
        _run(args.port, "report", token, 2, args.clients, photo)  # warm-up: caches, connections
        rows = []
        figures = {}
        for scenario, label in (
            ("baseline", "bare one-insert view (baseline)"),
            ("floor", "the same insert as a REST framework view"),
            ("report", "reports without photos"),
            ("photo", "reports with one 200 KB photo"),
            ("batch", "batch sync (500 per request)"),
        ):
            result, app_ms, db_ms = _cpu_per_item(
                server.pid,
                database_url,
                partial(_run, args.port, scenario, token, args.seconds, args.clients, photo),
            )
            result.update(app_ms=app_ms, db_ms=db_ms)
            figures[scenario] = result
            rows.append((label, result))
        base = figures["baseline"]["per_second"]
        targets = {
            "baseline": ("", None),
            "floor": ("", None),
            "report": (
                f"≥ 400/s and ≥ {base / 2:,.0f}/s (half the baseline); p99 ≤ 100 ms",
                figures["report"]["per_second"] >= max(400, base / 2) and figures["report"]["p99"] <= 100,
            ),
            "photo": ("≥ 100/s", figures["photo"]["per_second"] >= 100),
            "batch": ("≥ 10,000 reports/s", figures["batch"]["per_second"] >= 10_000),
        }
        print(f"\n{'scenario':38} {'per second':>12} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/item':>16}  target")
        for (label, result), scenario in zip(rows, ("baseline", "floor", "report", "photo", "batch"), strict=True):
            target, ok = targets[scenario]
            verdict = "" if ok is None else ("ok" if ok else "MISSED")
            cpu = f"{result['app_ms']:.2f}+{result['db_ms']:.2f}"
            print(
                f"{label:38} {result['per_second']:>12,.0f} {result['p50']:>8.1f} {result['p99']:>8.1f} {cpu:>16}  "
                f"{target} {verdict}"
            )
        report, baseline, floor = figures["report"], figures["baseline"], figures["floor"]

        def cpu(figure: dict) -> float:
            return figure["app_ms"] + figure["db_ms"]

        print(f"\nreports without photos / baseline, throughput in this run: {report['per_second'] / base:.0%}")
        print(
            "reports without photos / baseline, server CPU per request (app + database; what a quiet machine's "
            f"throughput ratio follows): {cpu(baseline) / cpu(report):.0%} (target ≥ 50 %)"
        )
        print(
            f"framework floor / baseline: throughput {floor['per_second'] / base:.0%}, server CPU "
            f"{cpu(baseline) / cpu(floor):.0%}; of a report's server CPU, {cpu(floor) - cpu(baseline):.2f} ms is the "
            f"REST framework stack and {cpu(report) - cpu(floor):.2f} ms is intake"
        )
        print(
            "batch: server CPU per report "
            f"{figures['batch']['app_ms'] + figures['batch']['db_ms']:.3f} ms, i.e. at most "
            f"{(os.cpu_count() or 1) * 1000 / (figures['batch']['app_ms'] + figures['batch']['db_ms']):,.0f} reports/s "
            f"on {os.cpu_count()} otherwise idle cores (target ≥ 10,000/s)"
        )
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
        print(
            f"(gunicorn {args.workers} workers, {args.clients} client processes on the same "
            f"{os.cpu_count()}-core machine, {args.seconds:.0f} s each)"
        )
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
