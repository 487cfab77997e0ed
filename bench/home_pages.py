"""Home-page benchmark: every role's home page (``/``) with 1,000,000 cases in the database.

    .venv/bin/python bench/home_pages.py [--cases 1000000] [--requests 20] [--reuse]

Builds the database exactly as ``bench/case_list.py`` does (same scratch database URL variable, same generator:
``fill_cases``; ``--reuse`` keeps a database either benchmark filled), migrates it, rebuilds the evaluation rollups
(``evaluation.rollups.rebuild``: the supervisor's month and the 30-day trend read them), gives each user a few
unread notifications, then measures — warm (two requests first), ``--requests`` times, median and p95 — the home
page of the operator, shift leader, dispatcher, the handler of the busiest department, a collector, the supervisor,
finance and the administrator through Django's test ``Client`` (middleware, session, view, SQL, template), against
the 200 ms target of the issue. Reports only: the exit status is 0 whatever the figures. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgis://postgres@127.0.0.1:5432/citymgmt_bench_list"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="keep an already filled database")
    parser.add_argument("--queries", action="store_true", help="print each page's SQL with its time")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citymgmt.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    sys.path.insert(0, str(ROOT))
    from bench.base_map import recreate_database

    if not args.reuse:
        recreate_database(url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from bench.case_list import TARGET_MS, Report, fill_cases
    from core.models import Notification, User
    from evaluation import rollups

    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        present = cursor.fetchone()[0]
    if not (args.reuse and present >= args.cases * 0.9):
        call_command("seed_city", scale=args.scale, seed=args.seed, stdout=open(os.devnull, "w"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM cases_case")
            fill_cases(cursor, max(0, args.cases - cursor.fetchone()[0]), args.seed)
    start = time.perf_counter()
    rollups.rebuild()
    print(f"rollups rebuilt in {time.perf_counter() - start:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_case")
        cursor.execute("SELECT count(*) FROM cases_case")
        present = cursor.fetchone()[0]
        cursor.execute(
            "SELECT u.username FROM cases_case c JOIN core_user u ON u.department_id = c.department_id "
            "AND u.role = 'handler' WHERE c.status IN ('dispatched', 'disposing') GROUP BY 1 ORDER BY count(*) DESC "
            "LIMIT 1"
        )
        handler = cursor.fetchone()[0]
        cursor.execute(
            "SELECT u.username FROM cases_case c JOIN core_user u ON u.id = c.reporter_id AND u.role = 'collector' "
            "WHERE c.received_at > now() - interval '7 days' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        )
        collector = cursor.fetchone()[0]
    print(f"{present:,} cases; handler {handler}, collector {collector}", flush=True)
    people = ["operator", "leader", "dispatcher", handler, collector, "supervisor", "finance", "admin"]
    for user in User.objects.filter(username__in=people):
        if not Notification.objects.filter(recipient=user, read_at__isnull=True).exists():
            Notification.objects.bulk_create(
                Notification(recipient=user, kind="bench", message=f"基准测试通知 {i}") for i in range(20)
            )

    from citymgmt.wsgi import settle_process

    settle_process()  # as the WSGI entry point does in each web worker before its first request
    report = Report()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    print(f"\nhome pages ({args.requests} requests each, after 2 warm-ups; target p95 ≤ {TARGET_MS:.0f} ms)")
    for username in people:
        client = Client()
        client.force_login(User.objects.get(username=username))
        for _ in range(2):
            response = client.get("/")
        if response.status_code != 200:
            print(f"  {username}: HTTP {response.status_code}")
            continue
        connection.force_debug_cursor = True
        try:
            client.get("/")
            captured = list(connection.queries)
        finally:
            connection.force_debug_cursor = False
        if args.queries:
            for query in captured:
                print(f"      {query['time']} s  {query['sql'][:200]}")
        times = []
        for _ in range(args.requests):
            began = time.perf_counter()
            client.get("/")
            times.append((time.perf_counter() - began) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        role = User.objects.get(username=username).role
        report.add(f"home {role} ({username})", statistics.median(times), p95, f"({len(captured)} queries)")
    report.print()
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
