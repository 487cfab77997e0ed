"""Open311 and citizens' report benchmark.

    .venv/bin/python bench/open311.py [--cases 1000000] [--requests 20] [--reuse] [--seconds 15] [--skip-get]

1. ``GET /open311/v2/requests.json`` with 1,000 requests per page over ``--cases`` cases (target p95 ≤ 300 ms).
   (Re)creates ``BENCH_DATABASE_URL`` (default postgis://postgres@127.0.0.1:5432/citymgmt_bench_open311), migrates,
   seeds a small demo city and fills the case table with the case-list benchmark's set-based loader
   (``bench/case_list.py``: a year of cases, most closed, every stage), then ``VACUUM ANALYZE``; measures through
   Django's test ``Client`` in this process (the whole stack below the WSGI server) page 1, a deep page, ``status``,
   ``service_code``, a 30-day range, XML and ``extensions=true``, each warm (two first) and ``--requests`` times.
2. The public report ``POST /report/`` (the citizens' page, CSRF and all, a new ``client_token`` each) while
   collectors report through ``POST /api/v1/cases/`` as in ``bench/intake.py`` (same clients, same server:
   gunicorn with ``--workers``, ``bench.open311_settings``), target p99 ≤ 200 ms; on a scratch database of its own
   (``BENCH_INTAKE_DATABASE_URL``, default citymgmt_bench_open311_intake).

Only 127.0.0.1 is contacted; exits 0 whatever the figures (benchmarks report). Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgis://postgres@127.0.0.1:5432/citymgmt_bench_open311"
DEFAULT_INTAKE_URL = "postgis://postgres@127.0.0.1:5432/citymgmt_bench_open311_intake"
GET_TARGET_MS, POST_TARGET_MS = 300.0, 200.0


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)] if len(ordered) >= 20 else ordered[-1]


def measure_get(args) -> None:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citymgmt.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    from bench.base_map import recreate_database

    if not args.reuse:
        print(f"benchmark database: {url} (recreated)", flush=True)
        recreate_database(url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from bench.case_list import fill_cases

    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        present = cursor.fetchone()[0]
    if not (args.reuse and present >= args.cases * 0.9):
        start = time.perf_counter()
        call_command("seed_city", scale=0.05, seed=1, stdout=open(os.devnull, "w"))
        print(f"demo city seeded in {time.perf_counter() - start:.1f} s", flush=True)
        start = time.perf_counter()
        with connection.cursor() as cursor:  # bulk-load practice, as bench/case_list.py
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = 'cases_case'::regclass AND NOT x.indisunique AND NOT x.indisprimary"
            )
            secondary = cursor.fetchall()
            for name, _definition in secondary:
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute("SELECT count(*) FROM cases_case")
            history = cursor.fetchone()[0]
            fill_cases(cursor, max(0, args.cases - history), 1)
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _name, definition in secondary:
                cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))  # a partitioned table's indexes
        print(f"cases filled in {time.perf_counter() - start:.1f} s", flush=True)
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_caseevent", "cases_casephoto"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE received_at > now() - interval '90 days') FROM cases_case"
        )
        total, recent = cursor.fetchone()
        cursor.execute(
            "SELECT m.code FROM cases_case c JOIN grids_minorclass m ON m.id = c.minor_class_id "
            "WHERE c.received_at > now() - interval '30 days' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        )
        common = cursor.fetchone()[0]
    print(f"{total:,} cases, {recent:,} received in the last 90 days (the default window)")
    now = timezone.localtime()
    month = {
        "start_date": (now - timezone.timedelta(days=60)).isoformat(timespec="seconds"),
        "end_date": (now - timezone.timedelta(days=30)).isoformat(timespec="seconds"),
    }
    figures = [
        ("page 1 (default 90 days)", "requests.json", {}),
        ("page 1, XML", "requests.xml", {}),
        ("page 50", "requests.json", {"page": 50}),
        ("status=open", "requests.json", {"status": "open"}),
        ("status=closed", "requests.json", {"status": "closed"}),
        (f"service_code={common}", "requests.json", {"service_code": common}),
        ("30-day range", "requests.json", month),
        ("extensions=true", "requests.json", {"extensions": "true"}),
        ("extensions=true, XML", "requests.xml", {"extensions": "true"}),
    ]
    client = Client()
    print(f"\n{'GET /open311/v2/…  (page_size 1000)':44} {'rows':>5} {'KB':>6} {'median ms':>10} {'p95 ms':>8}  target")
    for label, path, params in figures:
        full = f"/open311/v2/{path}?{urlencode({'page_size': 1000, **params})}"
        times = []
        for i in range(args.requests + 2):
            began = time.perf_counter()
            response = client.get(full)
            elapsed = (time.perf_counter() - began) * 1000
            if i >= 2:
                times.append(elapsed)
        assert response.status_code == 200, response.content[:200]
        rows = response.content.count(b"service_request_id") // (1 if path.endswith("json") else 2)
        p95 = _p95(times)
        verdict = "ok" if p95 <= GET_TARGET_MS else "MISSED"
        print(
            f"{label:44} {rows:>5} {len(response.content) / 1024:>6.0f} {statistics.median(times):>10.1f} "
            f"{p95:>8.1f}  ≤ {GET_TARGET_MS:.0f} ms {verdict}"
        )


# ---- the public POST under collector-intake load --------------------------------------------------------------


def _public_client(args: tuple) -> list[float]:
    port, seconds, seed = args
    from bench.intake import LAT, LNG

    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/report/")
    page = conn.getresponse()
    html = page.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "").group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        body = urlencode(
            {
                "csrfmiddlewaretoken": token,
                "problem": "garbage",
                "lat": f"{LAT + rng.uniform(-0.002, 0.002):.6f}",
                "lng": f"{LNG + rng.uniform(-0.002, 0.002):.6f}",
                "description": "小区门口垃圾没人清",
                "phone": f"138{rng.randrange(10**8):08d}",
                "client_token": str(uuid.uuid4()),
            }
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"}
        began = time.perf_counter()
        conn.request("POST", "/report/", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        latencies.append((time.perf_counter() - began) * 1000)
        if response.status != 302:
            failures += 1
    conn.close()
    return [*latencies, -failures]  # the last item carries the failures


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure_post(args) -> None:
    from bench import intake

    database_url = os.environ.get("BENCH_INTAKE_DATABASE_URL", DEFAULT_INTAKE_URL)
    token = intake._prepare(database_url)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.open311_settings",
        "DEBUG": "0",
        "SECURE_COOKIES": "0",
        "SECRET_KEY": "bench-only-" + uuid.uuid4().hex,
        "MEDIA_ROOT": "/tmp/citymgmt-bench-media",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "citymgmt.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
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
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/login/")
                break
            except OSError:
                time.sleep(0.2)
        intake._run(port, "report", token, 2, args.clients, b"")  # warm-up
        with multiprocessing.Pool(args.clients + args.public_clients) as pool:
            collectors = pool.map_async(
                intake._client, [(port, "report", token, args.seconds, i, b"") for i in range(args.clients)]
            )
            public = pool.map_async(_public_client, [(port, args.seconds, 100 + i) for i in range(args.public_clients)])
            collector_results, public_results = collectors.get(), public.get()
        reports = sorted(x for _r, _i, lat in collector_results for x in lat)
        failures = -sum(r[-1] for r in public_results)
        posts = sorted(x for r in public_results for x in r[:-1])
        p99 = posts[int(len(posts) * 0.99) - 1] if len(posts) >= 100 else max(posts)
        print(f"\n{'scenario (at the same time)':44} {'requests':>9} {'per s':>7} {'p50 ms':>8} {'p99 ms':>8}  target")
        rp99 = reports[int(len(reports) * 0.99) - 1]
        print(
            f"{'collector reports POST /api/v1/cases/':44} {len(reports):>9} {len(reports) / args.seconds:>7.0f} "
            f"{statistics.median(reports):>8.1f} {rp99:>8.1f}  (the load)"
        )
        verdict = "ok" if p99 <= POST_TARGET_MS else "MISSED"
        print(
            f"{'public reports POST /report/':44} {len(posts):>9} {len(posts) / args.seconds:>7.0f} "
            f"{statistics.median(posts):>8.1f} {p99:>8.1f}  ≤ {POST_TARGET_MS:.0f} ms {verdict}"
            f"{'' if not failures else f'  ({failures} not answered 302)'}"
        )
        print(
            f"\n(gunicorn {args.workers} workers; {args.clients} collector and {args.public_clients} public client "
            f"processes on the same {os.cpu_count()}-core machine, {args.seconds:.0f} s)"
        )
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep an already filled GET database")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=4, help="collector client processes (as bench/intake.py)")
    parser.add_argument("--public-clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-get", action="store_true")
    parser.add_argument("--skip-post", action="store_true")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    if not args.skip_post:
        # Its own processes: run first, before this process sets up Django for the GET part.
        measure_post(args)
    if not args.skip_get:
        measure_get(args)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
