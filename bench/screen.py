"""Big screen and heat tile benchmark.

    .venv/bin/python bench/screen.py [--cases 1000000] [--heat-cases 10000000] [--requests 30] [--template DB]
                                     [--reuse] [--skip-heat]

A scratch database named by BENCH_DATABASE_URL (default postgis://postgres@127.0.0.1:5432/bench_screen) is made
either by copying an already seeded demo city (``--template cm_screen``: ``CREATE DATABASE … TEMPLATE``, seconds) or
by migrating and seeding one (``seed_city --scale 0.05``, minutes), then topped up to ``--cases`` real cases with
``bench/case_list.py``'s ``fill_cases`` (set-based ``INSERT … SELECT generate_series``); rollups and hotspot counts are
rebuilt from those cases.

1. **Big screen data** (target p95 ≤ 100 ms with 1,000,000 cases): ``GET /screen/data.json`` through Django's test
   Client as the demo dispatcher, after the stored period figures were refreshed (what the Celery task does every
   15 s; its time is printed): the polls a wall makes (with the previous answer's cursor, three cases changed
   before each; and right after a refresh, when the new layer's lights come along), the first poll (the whole
   layer), and polls with no stored rows at all (the workers down: the figures are computed inline).
2. **Heat tiles at real 1 M cases**: every tile over the city at zooms 11–16 for the periods of the console (last 7
   and 30 days, the year), unfiltered and by class and by channel.
3. **Heat tiles at 10 M cases** (target p95 ≤ 50 ms): the heat table is *generated*, not rebuilt from ten million
   case rows: ten million synthetic reports (a year, skewed over the 548 unit grids, 60 classes and 10 channels, a
   point jittered ±150 m around the grid) are aggregated by the same GROUPING SETS statement the rebuild uses, read
   from the generator instead of ``cases_case``. The tiles read only this table, so their cost is that of a city with
   ten million cases; the case table itself keeps its 1 M rows.

Benchmarks report; they never fail a build (exit status 0). Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgis://postgres@127.0.0.1:5432/bench_screen"


def copy_database(url: str, template: str) -> None:
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    for value in (name, template):
        if not value.replace("_", "").isalnum():
            raise SystemExit(f"refusing odd database name {value!r}")
    admin = psycopg2.connect(
        dbname="postgres",
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    admin.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def line(label: str, values: list[float], target: float | None) -> str:
    p50, p95 = statistics.median(values), percentile(values, 0.95)
    verdict = "" if target is None else ("  ok" if p95 <= target else "  NOT MET")
    goal = "" if target is None else f" (target p95 ≤ {target:.0f} ms)"
    figures = f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  max {max(values):6.1f} ms"
    return f"  {label:<44} n={len(values):>4}  {figures}{goal}{verdict}"


GENERATED = """
    WITH grids AS (
        SELECT (row_number() OVER (ORDER BY code) - 1)::int AS i,
               ST_X(ST_PointOnSurface(geometry)) AS lng, ST_Y(ST_PointOnSurface(geometry)) AS lat
        FROM grids_unitgrid WHERE valid_to IS NULL
    ),
    classes AS (SELECT array_agg(id ORDER BY id) AS ids FROM (
        SELECT id FROM grids_minorclass WHERE kind = 'event' ORDER BY id LIMIT 60) m),
    n AS (SELECT count(*)::int AS grids FROM grids),
    raw AS (
        SELECT current_date - floor(random() * 365)::int AS day,
               floor(power(random(), 2) * n.grids)::int AS gi,
               classes.ids[1 + floor(power(random(), 3) * array_length(classes.ids, 1))::int] AS class_id,
               (ARRAY['collector','collector','collector','part_time','video','hotline_12345','hotline_12319',
                      'online','inspection','chat_group'])[1 + floor(random() * 10)::int] AS source,
               (random() - 0.5) * 0.003 AS dx, (random() - 0.5) * 0.003 AS dy
        FROM generate_series(1, %(total)s), n, classes
    ),
    f AS (
        SELECT r.day, r.class_id, r.source,
               floor(6378137.0 * radians(g.lng + r.dx) / %(cell)s)::int AS x,
               floor(6378137.0 * ln(tan(pi() / 4 + radians(g.lat + r.dy) / 2)) / %(cell)s)::int AS y
        FROM raw r JOIN grids g ON g.i = r.gi
    )
    INSERT INTO evaluation_heatcell (grain, period, class_id, source, x, y, cases)
    SELECT 0, day, COALESCE(class_id, 0), COALESCE(source, ''), x, y, count(*) FROM f
    GROUP BY GROUPING SETS ((day, x, y), (day, x, y, class_id), (day, x, y, source), (day, x, y, class_id, source))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--heat-cases", type=int, default=10_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--template", default="", help="copy this seeded demo database instead of seeding")
    parser.add_argument("--reuse", action="store_true", help="keep an already filled database")
    parser.add_argument("--skip-heat", action="store_true", help="no 10 M heat table")
    parser.add_argument("--screen-only", action="store_true", help="measure the big screen's data only")
    parser.add_argument("--rebuild-hotspots", action="store_true", help="rebuild the hotspot counts first")
    parser.add_argument("--seed", type=int, default=1)
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
        if args.template:
            print(f"benchmark database: {url} (copied from {args.template})", flush=True)
            copy_database(url, args.template)
        else:
            print(f"benchmark database: {url} (recreated)", flush=True)
            recreate_database(url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from bench.case_list import fill_cases
    from core.models import User
    from evaluation.hotspots import aggregation
    from evaluation.hotspots.filters import HotspotQuery
    from evaluation.hotspots.tiles import cached_heat_tile, heat_tile
    from evaluation.rollups import rebuild as rebuild_rollups

    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        present = cursor.fetchone()[0]
    if present == 0:
        start = time.perf_counter()
        call_command("seed_city", scale=0.05, seed=args.seed, stdout=open(os.devnull, "w"))
        print(f"demo city seeded in {time.perf_counter() - start:.1f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM cases_case")
            present = cursor.fetchone()[0]
    if present < args.cases * 0.9:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = 'cases_case'::regclass AND NOT x.indisunique AND NOT x.indisprimary"
            )
            secondary = cursor.fetchall()
            for name, _definition in secondary:
                cursor.execute(f'DROP INDEX "{name}"')
            counts = fill_cases(cursor, args.cases - present, args.seed)
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _name, definition in secondary:
                cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))  # a partitioned table's indexes
        print(f"{sum(counts.values()) - present:,} cases added in {time.perf_counter() - start:.1f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE cases_case")
        start = time.perf_counter()
        rebuild_rollups()
        print(f"rollups rebuilt in {time.perf_counter() - start:.1f} s", flush=True)
        start = time.perf_counter()
        timings = aggregation.rebuild()
        print(
            f"hotspot counts rebuilt from the cases in {time.perf_counter() - start:.1f} s "
            f"({', '.join(f'{k} {v:.1f} s' for k, v in timings.items())})",
            flush=True,
        )
    if args.rebuild_hotspots and args.screen_only:  # the grid × class counts only (the screen reads no heat cell)
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {aggregation.HOTSPOT}")
            cursor.execute(aggregation._hotspot_insert("true"))
            cursor.execute(f"VACUUM ANALYZE {aggregation.HOTSPOT}")
        print(f"grid × class counts rebuilt from the cases in {time.perf_counter() - start:.1f} s", flush=True)
    elif args.rebuild_hotspots:
        start = time.perf_counter()
        aggregation.rebuild()
        print(f"hotspot counts rebuilt from the cases in {time.perf_counter() - start:.1f} s", flush=True)
    with connection.cursor() as cursor:
        heat_rows = heat_cases = 0
        if not args.screen_only:
            cursor.execute("VACUUM ANALYZE evaluation_heatcell")
            cursor.execute(
                "SELECT count(*), coalesce(sum(cases) FILTER (WHERE class_id = 0 AND source = '' "
                "AND grain = 0), 0) FROM evaluation_heatcell"
            )
            heat_rows, heat_cases = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM cases_case")
        total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM cases_case WHERE status NOT IN ('closed','rejected','refused','cancelled','merged')"
        )
        open_cases = cursor.fetchone()[0]
    print(
        f"{total:,} cases ({open_cases:,} open); heat table {heat_rows:,} rows counting {heat_cases:,} cases",
        flush=True,
    )

    # ---- 1. the big screen's data ------------------------------------------------------------------------------
    from evaluation.models import PeriodFigure
    from evaluation.stored_figures import refresh_current

    client = Client()
    client.force_login(User.objects.get(username="dispatcher"))
    started = time.perf_counter()
    timings = refresh_current()
    print(
        f"stored period figures refreshed (the Celery task's work) in {time.perf_counter() - started:.2f} s: "
        + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()),
        flush=True,
    )
    response = client.get("/screen/data.json")
    assert response.status_code == 200, response.status_code
    body = response.json()
    print(
        f"screen data, first poll: {len(response.content):,} bytes, {len(body['cases']['items'])} cases on the map, "
        f"{body['overdue_total']:,} overdue",
        flush=True,
    )

    def touch(n: int) -> int:
        """Five seconds pass (the wall's poll interval; the cases changed so far move 5 s into the past, and so
        does the cursor) and n open cases change (a transition writes updated_at), as on a busy afternoon."""
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_case SET updated_at = updated_at - interval '5 seconds' "
                "WHERE updated_at > now() - interval '10 minutes'"
            )
            cursor.execute(
                "UPDATE cases_case SET updated_at = now() WHERE id IN (SELECT id FROM cases_case "
                "WHERE status NOT IN ('closed','rejected','refused','cancelled','merged') ORDER BY random() LIMIT %s)",
                [n],
            )
        return 5000

    first, polls, newer_layer, worker_down = [], [], [], []
    sizes = []
    for _ in range(max(10, args.requests // 3)):
        started = time.perf_counter()
        client.get("/screen/data.json")
        first.append((time.perf_counter() - started) * 1000)
    from evaluation.screen.keys import create_key

    _key, token = create_key("bench", User.objects.get(username="admin"))
    wall = Client()
    kiosk = []
    cursor_at, layer_at = body["cursor"], body["cases"]["layer"]
    for _ in range(args.requests):
        cursor_at -= touch(3)
        started = time.perf_counter()
        response = client.get("/screen/data.json", {"since": cursor_at, "layer": layer_at})
        polls.append((time.perf_counter() - started) * 1000)
        sizes.append(len(response.content))
        answer = response.json()
        cursor_at = answer["cursor"]
    for _ in range(args.requests):
        cursor_at -= touch(3)
        started = time.perf_counter()
        response = wall.get(f"/screen/k/{token}/data.json", {"since": cursor_at, "layer": layer_at})
        kiosk.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        cursor_at = response.json()["cursor"]
    for _ in range(max(5, args.requests // 6)):
        refresh_current()  # the task ran since the display's last poll: the new layer's lights come along
        cursor_at -= touch(3)
        started = time.perf_counter()
        response = client.get("/screen/data.json", {"since": cursor_at, "layer": layer_at})
        newer_layer.append((time.perf_counter() - started) * 1000)
        cursor_at = response.json()["cursor"]
    for _ in range(max(5, args.requests // 6)):
        PeriodFigure.objects.all().delete()  # no worker: the poll computes the stored rows itself
        started = time.perf_counter()
        client.get("/screen/data.json")
        worker_down.append((time.perf_counter() - started) * 1000)
    print(f"big screen data endpoint (a poll with a cursor: {statistics.median(sizes):,.0f} bytes median)")
    print(line("poll with a cursor, 3 cases changed", polls, 100))
    print(line("the same through a kiosk key (the wall)", kiosk, 100))
    print(line("poll with a cursor, a newer stored layer", newer_layer, 100))
    print(line("first poll (whole layer, from the stored row)", first, None))
    print(line("no stored rows (workers down): computed inline", worker_down, None), flush=True)

    if args.screen_only:
        return 0

    # ---- 2 and 3. heat tiles -----------------------------------------------------------------------------------
    import math
    from datetime import timedelta

    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geometry) AS e "
            "FROM grids_unitgrid WHERE valid_to IS NULL) s"
        )
        west, south, east, north = cursor.fetchone()
        cursor.execute(
            "SELECT class_id FROM evaluation_heatcell WHERE class_id > 0 AND grain = 0 GROUP BY 1 "
            "ORDER BY sum(cases) DESC LIMIT 1"
        )
        common_class = cursor.fetchone()[0]

    def tiles_over_city(z: int) -> list[tuple[int, int]]:
        def tile(lng, lat):
            n = 2**z
            return int((lng + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)

        x0, y0 = tile(west, north)
        x1, y1 = tile(east, south)
        return [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]

    today = timezone.localdate()
    queries = {
        "last 30 days": HotspotQuery(today - timedelta(days=29), today),
        "last 7 days": HotspotQuery(today - timedelta(days=6), today),
        "last 365 days": HotspotQuery(today - timedelta(days=364), today),
        "30 days, one class": HotspotQuery(today - timedelta(days=29), today, class_id=common_class),
        "30 days, one channel": HotspotQuery(today - timedelta(days=29), today, source="hotline_12345"),
    }

    def measure_tiles(title: str) -> None:
        print(title, flush=True)
        everything: list[float] = []
        sizes: list[int] = []
        for label, query in queries.items():
            times = []
            for z in range(11, 17):
                coords = tiles_over_city(z)
                step = max(1, len(coords) // 12)  # at most a dozen tiles per zoom
                for x, y in coords[::step]:
                    heat_tile(z, x, y, query)  # warm the pages as a map pan does
                    started = time.perf_counter()
                    data = heat_tile(z, x, y, query)
                    times.append((time.perf_counter() - started) * 1000)
                    sizes.append(len(data))
            everything += times
            print(line(label + " (z11–16)", times, 50), flush=True)
        print(line("all heat tiles", everything, 50) + f"; largest tile {max(sizes):,} bytes", flush=True)
        cached: list[float] = []  # the same tiles through the Redis cache: what every map after the first gets
        for query in queries.values():
            for z in range(11, 17):
                coords = tiles_over_city(z)
                for x, y in coords[:: max(1, len(coords) // 12)]:
                    cached_heat_tile(z, x, y, query)
                    started = time.perf_counter()
                    cached_heat_tile(z, x, y, query)
                    cached.append((time.perf_counter() - started) * 1000)
        print(line("all heat tiles again, from Redis", cached, 50), flush=True)
        client.get("/tiles/heat/14/0/0.pbf")
        started = time.perf_counter()
        for _ in range(20):
            x, y = tiles_over_city(13)[0]
            client.get(f"/tiles/heat/13/{x}/{y}.pbf")
        print(
            f"  through the HTTP stack (DRF view, session): {(time.perf_counter() - started) * 50:.1f} ms per tile",
            flush=True,
        )

    measure_tiles(f"heat tiles, from {heat_cases:,} real cases")
    if not args.skip_heat:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE evaluation_heatcell")
            cursor.execute("SET work_mem = '256MB'; SET jit = off")
            cursor.execute(GENERATED, {"total": args.heat_cases, "cell": aggregation.CELL})
            cursor.execute(
                aggregation._month_insert("h.period < %(current)s"), {"current": aggregation.current_month()}
            )
            cursor.execute("VACUUM ANALYZE evaluation_heatcell")
            cursor.execute(
                "SELECT count(*), pg_size_pretty(pg_total_relation_size('evaluation_heatcell')), "
                "sum(cases) FILTER (WHERE grain = 0 AND class_id = 0 AND source = '') "
                "FROM evaluation_heatcell"
            )
            rows, size, counted = cursor.fetchone()
        print(
            f"heat table generated for {counted:,} synthetic cases in {time.perf_counter() - start:.1f} s: "
            f"{rows:,} rows, {size}",
            flush=True,
        )
        measure_tiles(f"heat tiles, {counted:,} generated cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
