"""Benchmark: patrol tracks — ingestion through the real API under gunicorn, and one day of 300 collectors drawn.

    .venv/bin/python bench/patrol.py [--seconds 10] [--clients 4] [--workers 2] [--collectors 300]

(Re)creates the scratch database ``BENCH_DATABASE_URL`` (default citymgmt_bench_patrol), migrates it and seeds a
small demo city (bench/intake.py's preparation), then:

- ingestion: client processes post batches of 500 positions (``POST /api/v1/patrol/points/``, token auth) to gunicorn
  for ``--seconds``; points per second and request latency (target ≥ 5,000 points/s);
- drawing: a day of ``--collectors`` collectors on duty for eight hours with a position every 30 s (960 each,
  288,000 in all) is written into that day's partition in one INSERT … SELECT, then
  ``GET /api/v1/patrol/tracks/?date=`` (every line, simplified) and ``/figures/`` (every collector's figures) are
  timed ten times each as the supervisor (target: the day's tracks in ≤ 1 s);
- the app's first load: the bytes of JavaScript and CSS of its shell (target ≤ 300 KB).

Only 127.0.0.1 is contacted; exit status 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.intake import _prepare  # noqa: E402  (the same scratch database preparation)

DEFAULT_DB = "postgis://postgres@127.0.0.1:5432/citymgmt_bench_patrol"
LNG, LAT = 106.2190, 29.5920  # inside the demo city
BATCH = 500


def _manage(env: dict, code: str) -> str:
    command = [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code]
    out = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        sys.exit(out.stderr[-3000:])
    return out.stdout.strip().splitlines()[-1]


def _client(args: tuple) -> tuple[int, int, list[float]]:
    port, token, seconds, seed = args
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, points, requests = [], 0, 0
    clock = datetime.now().astimezone() - timedelta(days=6) + timedelta(hours=seed)  # one hour per client
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        batch = []
        for _ in range(BATCH):
            clock += timedelta(milliseconds=7)  # distinct instants: every point is new
            batch.append(
                {
                    "at": clock.isoformat(),
                    "lat": LAT + rng.uniform(-0.01, 0.01),
                    "lng": LNG + rng.uniform(-0.01, 0.01),
                    "accuracy": 8,
                }
            )
        body = json.dumps({"points": batch}).encode()
        began = time.perf_counter()
        conn.request(
            "POST",
            "/api/v1/patrol/points/",
            body=body,
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        answer = response.read()
        latencies.append((time.perf_counter() - began) * 1000)
        requests += 1
        if response.status == 200:
            points += json.loads(answer)["stored"]
    conn.close()
    return requests, points, latencies


def _timed_get(port: int, token: str, path: str, runs: int = 10) -> tuple[list[float], int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times, size = [], 0
    for _ in range(runs):
        began = time.perf_counter()
        conn.request("GET", path, headers={"Authorization": f"Token {token}", "Accept-Encoding": "identity"})
        response = conn.getresponse()
        body = response.read()
        times.append((time.perf_counter() - began) * 1000)
        size = len(body)
        assert response.status == 200, body[:300]
    conn.close()
    return sorted(times), size


def _first_load() -> tuple[int, int]:
    names = [
        ROOT / "static/cases/app/app.js",
        ROOT / "static/cases/app/app.css",
        ROOT / ".venv/lib/python3.11/site-packages/leaflet/static/leaflet/leaflet.js",
        ROOT / ".venv/lib/python3.11/site-packages/leaflet/static/leaflet/leaflet.css",
    ]
    bodies = [path.read_bytes() for path in names if path.exists()]
    return sum(map(len, bodies)), sum(len(gzip.compress(b)) for b in bodies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--collectors", type=int, default=300)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    collector_token = _prepare(database_url)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.intake_settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-" + uuid.uuid4().hex,
    }
    supervisor_token = _manage(
        env,
        "from core.tokens import issue\nfrom core.models import User\n"
        "print(issue(User.objects.filter(role='supervisor').first(), 'bench')[1])",
    )
    # A day of N collectors, eight hours, a position every 30 s: written straight into the day's partition.
    day = (datetime.now().astimezone() - timedelta(days=1)).date()
    fill = f"""
from datetime import date
from django.db import connection
from core.choices import Role
from core.models import User
from grids.patrol import partitions
day = date.fromisoformat("{day.isoformat()}")
partitions.ensure([day])
users = [User(username=f"patrol{{i:04d}}", first_name=f"巡查员{{i}}", role=Role.COLLECTOR)
         for i in range({args.collectors})]
User.objects.bulk_create(users, ignore_conflicts=True)
ids = list(User.objects.filter(username__startswith="patrol").values_list("pk", flat=True))
with connection.cursor() as cursor:
    cursor.execute('''
        INSERT INTO grids_trackpoint (collector_id, recorded_at, received_at, location, accuracy)
        SELECT c, %s::timestamptz + make_interval(secs => 30 * s), now(),
               ST_SetSRID(ST_MakePoint({LNG} + mod(c, 17) * 0.001 + 0.002 * sin(s / 40.0),
                                       {LAT} + mod(c, 13) * 0.001 + 0.002 * cos(s / 55.0)), 4326), 8
        FROM unnest(%s::bigint[]) AS c, generate_series(0, 959) AS s
        ON CONFLICT DO NOTHING''', [str(day) + " 08:00+08", ids])
    cursor.execute("ANALYZE grids_trackpoint")
print(len(ids))
"""
    started = time.perf_counter()
    _manage(env, fill)
    fill_seconds = time.perf_counter() - started
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
        with multiprocessing.Pool(args.clients) as pool:
            pool.map(_client, [(args.port, collector_token, 1.5, 100 + i) for i in range(args.clients)])  # warm-up
            began = time.perf_counter()
            results = pool.map(_client, [(args.port, collector_token, args.seconds, i) for i in range(args.clients)])
            elapsed = time.perf_counter() - began
        latencies = sorted(x for _, _, lat in results for x in lat)
        per_second = sum(r[1] for r in results) / elapsed
        tracks, tracks_size = _timed_get(args.port, supervisor_token, f"/api/v1/patrol/tracks/?date={day}")
        figures, _ = _timed_get(args.port, supervisor_token, f"/api/v1/patrol/figures/?date={day}", runs=3)
        raw, zipped = _first_load()

        def p95(values: list[float]) -> float:
            return values[min(len(values) - 1, round(0.95 * len(values)) - 1)]

        print(f"\n{'measure':52} {'figure':>16}  target")
        print(
            f"{'ingestion, batches of 500 (points/s)':52} {per_second:>16,.0f}  ≥ 5,000 "
            f"{'ok' if per_second >= 5000 else 'MISSED'}"
        )
        print(f"{'  request latency p50 / p95 (ms)':52} {statistics.median(latencies):>7.1f} / {p95(latencies):>6.1f}")
        print(f"{'day of tracks written (points, s)':52} {args.collectors * 960:>10,} {fill_seconds:>5.1f}")
        print(
            f"{f'tracks of {args.collectors} collectors p50 / p95 (ms)':52} "
            f"{statistics.median(tracks):>7.0f} / {p95(tracks):>6.0f}  ≤ 1,000 "
            f"{'ok' if p95(tracks) <= 1000 else 'MISSED'}"
        )
        print(f"{'  their GeoJSON (KB)':52} {tracks_size / 1024:>16,.0f}")
        print(f"{f'figures of {args.collectors} collectors, median (ms)':52} {statistics.median(figures):>16,.0f}")
        print(
            f"{'app first load JS + CSS (KB raw / gzip)':52} {raw / 1024:>7.0f} / {zipped / 1024:>6.0f}  ≤ 300 "
            f"{'ok' if raw <= 300 * 1024 else 'MISSED'}"
        )
        print(f"\n(gunicorn {args.workers} workers, {args.clients} client processes, {os.cpu_count()} cores)")
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
