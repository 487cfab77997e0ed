"""Case-list benchmark: the console's queue pages and the filtered list API with 1,000,000 cases in the database.

    .venv/bin/python bench/case_list.py [--cases 1000000] [--requests 20] [--scale 0.05] [--reuse]

(Re)creates the database named by BENCH_DATABASE_URL (default postgis://postgres@127.0.0.1:5432/citymgmt_bench_list),
migrates it, seeds a small demo city (``seed_city --scale 0.05``: organisation, taxonomy, 548 unit grids, duty
grids) and fills ``cases_case`` with ``--cases`` realistic cases in a few set-based SQL statements
(``INSERT … SELECT … FROM generate_series``): a year of reports spread over the unit grids (point on the grid's
surface plus jitter, grid/community/street codes from the grid and its regions), classes and conditions from the
taxonomy (skewed, as real intake is), every status in realistic proportions (most closed; a few thousand open ones
in each queue stage, with stage deadlines, some overdue), departments on every dispatched case (the condition's
default, or the street office), sources, reporters, milestones and on-time flags; events for the recent cases and
pending applications (return, extension, suspension, cancellation). Then ``VACUUM ANALYZE``.

It then measures, warm (two requests first) and repeated (``--requests`` each, median and p95), through Django's test
``Client`` in this process (the whole stack below the WSGI server: middleware, session, view, SQL, template or
serializer), against the 200 ms target of the issue:

- each console queue page ``/cases/?queue=…`` as the user whose work it is (operator, shift leader, dispatcher, the
  handler of the department with the most cases, supervisor's overdue queue), an all-cases page and a deep page, and
  the ``/cases/live/`` endpoint the page polls every 5 s;
- ``GET /api/v1/cases/`` with typical filters (status, class_code, street, department, overdue, received date range,
  free-text ``q``, combinations), page 1 and a deep page, as a centre user (dispatcher), a department handler and a
  collector.

``--reuse`` keeps an already filled database (skips re-creation, seeding and filling; still migrates and analyzes),
for iterating on the code. Only 127.0.0.1 is contacted. Benchmarks report; they never fail a build: the exit status
is 0 whatever the figures. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgis://postgres@127.0.0.1:5432/citymgmt_bench_list"
TARGET_MS = 200.0

# (status, open?, share of all cases, how long ago its current stage started at most, minutes of the stage limit;
# None: the case's disposal limit). Open cases: a few thousand per stage; terminal ones share the rest.
STATUSES = [
    ("reported", True, 0.0020, "2 hours", 15),
    ("verifying", True, 0.0008, "3 hours", 30),
    ("accepted", True, 0.0015, "2 hours", 15),
    ("registered", True, 0.0020, "2 hours", 15),
    ("dispatched", True, 0.0030, "1 day", None),
    ("disposing", True, 0.0060, "6 days", None),
    ("return_requested", True, 0.0003, "1 day", None),
    ("suspended", True, 0.0006, "30 days", None),
    ("disposed", True, 0.0025, "4 hours", 30),
    ("checking", True, 0.0012, "4 hours", 30),
    ("checked", True, 0.0015, "4 hours", 60),
    ("self_disposed", True, 0.0004, "4 hours", 60),
    ("rejected", False, 0.0300, None, None),
    ("refused", False, 0.0150, None, None),
    ("cancelled", False, 0.0050, None, None),
    ("merged", False, 0.0100, None, None),
    ("closed", False, None, None, None),  # the rest
]
# Statuses whose case has been dispatched to a department (and still is, or was when it closed).
WITH_DEPARTMENT = (
    "dispatched",
    "disposing",
    "return_requested",
    "suspended",
    "disposed",
    "checking",
    "checked",
    "closed",
    "cancelled",
)
PAST_ACCEPT = (*WITH_DEPARTMENT, "accepted", "registered", "refused", "self_disposed")
PAST_REGISTER = (*WITH_DEPARTMENT, "registered")
PAST_DISPOSAL = ("disposed", "checking", "checked", "closed")
SOURCES = [  # (source, share)
    ("collector", 0.70),
    ("part_time", 0.05),
    ("video", 0.05),
    ("hotline_12345", 0.08),
    ("hotline_12319", 0.03),
    ("online", 0.03),
    ("inspection", 0.01),
    ("chat_group", 0.02),
    ("media", 0.005),
    ("self_disposal", 0.025),
]
ROADS = ["东林大道", "璧泉路", "双星大道", "文星路", "御湖路", "金剑路", "黛山大道", "青杠大道", "来凤路", "丁家街"]
PHRASES = ["，请尽快处理", "，影响市容", "，市民反映强烈", "，存在安全隐患", "，已持续多日", ""]


def _literal_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def fill_cases(cursor, total: int, seed: int, years: int = 1) -> dict[str, int]:
    """Insert *total* cases (and their recent events and pending applications) with set-based SQL; the terminal
    ones received over the past *years* years."""
    cursor.execute("SELECT setseed(%s)", [((seed * 7919) % 1000) / 1000.0])
    # Unit grids with their codes, a point on each, the street office and a collector patrolling it.
    cursor.execute(
        """
        CREATE TEMP TABLE bench_grid AS
        SELECT row_number() OVER (ORDER BY g.id) AS rn, g.id AS grid_id, g.code AS grid_code,
               c.code AS community_code, s.code AS street_code, s.name AS street_name, left(g.code, 6) AS district_code,
               ST_PointOnSurface(g.geometry) AS point, so.department_id AS street_office_id,
               (SELECT min(dc.user_id) FROM grids_dutygrid_unit_grids x
                  JOIN grids_dutygrid dg ON dg.id = x.dutygrid_id AND dg.is_active
                  JOIN grids_dutygrid_collectors dc ON dc.dutygrid_id = x.dutygrid_id
                 WHERE x.unitgrid_id = g.id) AS collector_id
          FROM grids_unitgrid g
          JOIN grids_region c ON c.id = g.community_id
          JOIN grids_region s ON s.id = c.parent_id
          LEFT JOIN cases_streetoffice so ON so.street_code = s.code
         WHERE g.valid_to IS NULL
        """
    )
    cursor.execute(
        """
        CREATE TEMP TABLE bench_condition AS
        SELECT row_number() OVER (ORDER BY random()) AS rn, f.id AS condition_id, f.minor_class_id, m.kind,
               m.name AS class_name, f.limit_value, f.limit_unit, f.urgency, f.default_department_id,
               CASE f.limit_unit WHEN 'work_days' THEN f.limit_value * interval '1 day'
                                 WHEN 'natural_minutes' THEN f.limit_value * interval '1 minute'
                                 WHEN 'work_minutes' THEN f.limit_value * interval '1 minute'
                                 ELSE f.limit_value * interval '1 hour' END AS limit_span
          FROM grids_filingcondition f JOIN grids_minorclass m ON m.id = f.minor_class_id
         WHERE f.is_active AND m.is_active
        """
    )
    cursor.execute(
        "CREATE TEMP TABLE bench_status (status text, is_open bool, lo float8, hi float8, span interval, "
        "limit_minutes int)"
    )
    lo = 0.0
    for status, is_open, share, span, limit in STATUSES:
        hi = 1.0 if share is None else lo + share
        cursor.execute(
            "INSERT INTO bench_status VALUES (%s, %s, %s, %s, %s::interval, %s)", [status, is_open, lo, hi, span, limit]
        )
        lo = hi
    cursor.execute("CREATE TEMP TABLE bench_source (source text, lo float8, hi float8)")
    lo = 0.0
    for source, share in SOURCES:
        cursor.execute("INSERT INTO bench_source VALUES (%s, %s, %s)", [source, lo, lo + share])
        lo += share
    cursor.execute("UPDATE bench_source SET hi = 1.0 WHERE source = 'self_disposal'")
    cursor.execute("SELECT count(*) FROM bench_grid")
    grids = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM bench_condition")
    conditions = cursor.fetchone()[0]
    cursor.execute("SELECT id FROM core_user WHERE username = 'operator'")
    operator_id = cursor.fetchone()[0]

    # Each case's id in the range of the year it was received (cases_case is partitioned by the year of its id:
    # core/partitions.py IdYearPartitions), as if the platform had been writing them live over those years: the
    # serials come from the table's one sequence, reserved here for the whole load, in received order.
    from cases.models.case import PARTITIONS as CASES
    from core.partitions import ID_SPAN

    this_year = datetime.now(ZoneInfo("Asia/Shanghai")).year
    CASES.ensure(range(this_year - years - 1, this_year + 2))
    cursor.execute("SELECT setval('cases_case_id_seq', nextval('cases_case_id_seq') + %s)", [total])
    first_serial = cursor.fetchone()[0] - total + 1  # rows with serials from here on are this benchmark's
    roads, phrases = _literal_array(ROADS), _literal_array(PHRASES)
    with_department = _literal_array(list(WITH_DEPARTMENT))
    past_accept, past_register = _literal_array(list(PAST_ACCEPT)), _literal_array(list(PAST_REGISTER))
    past_disposal = _literal_array(list(PAST_DISPOSAL))
    # One pass: random draws per row → status, source, grid, condition → times → the row, in received order (so ids
    # follow time, as on a live system), numbered per Asia/Shanghai day like cases.numbering.
    cursor.execute(
        f"""
        INSERT INTO cases_case (
            id, case_no, kind, source, urgency, description, address, location, grid_id, grid_code, community_code,
            street_code, district_code, reporter_id, reported_at, received_at, status, department_id,
            suggested_department_id, minor_class_id, condition_id, stage_started_at, stage_deadline,
            disposal_limit_value, disposal_limit_unit, disposal_deadline, disposal_minutes_left,
            accepted_at, registered_at, dispatched_at, disposed_at, closed_at, cancelled_at, cancelled_in,
            accepted_on_time, verified_on_time, registered_on_time, dispatched_on_time, disposed_on_time,
            checked_on_time, closed_on_time, is_overdue, is_urged, verified, rework_count, return_count,
            extension_count, suspension_count, urge_count, updated_at)
        WITH draw AS (
            SELECT n, random() AS r_status, random() AS r_source, random() AS r_grid, random() AS r_condition,
                   random() AS r_time, random() AS r_late, random() AS r_x, random() AS r_y, random() AS r_text
              FROM generate_series(1, %(total)s) AS n
        ), timed AS (
            SELECT d.*, st.status, st.is_open, st.limit_minutes, src.source, gr.grid_id, gr.grid_code,
                   gr.community_code, gr.street_code, gr.street_name, gr.district_code, gr.point, gr.street_office_id,
                   gr.collector_id, co.condition_id, co.minor_class_id, co.kind, co.class_name, co.limit_value,
                   co.limit_unit, co.urgency, co.default_department_id, co.limit_span,
                   -- open cases: the current stage started within the status's span (recent ones weigh more);
                   -- terminal ones: received over the past year(s).
                   CASE WHEN st.is_open THEN now() - (d.r_time ^ 2) * st.span
                        ELSE now() - interval '1 day' - d.r_time * interval '{years * 365 - 1} days' END
                       AS stage_start
              FROM draw d
              JOIN bench_status st ON d.r_status >= st.lo AND d.r_status < st.hi
              JOIN bench_source src ON d.r_source >= src.lo AND d.r_source < src.hi
              JOIN bench_grid gr ON gr.rn = 1 + floor(d.r_grid * {grids})::int
              JOIN bench_condition co ON co.rn = 1 + floor((d.r_condition ^ 2) * {conditions})::int
        ), dated AS (
            SELECT t.*,
                   -- the steps before the current stage: minutes to accept/register/dispatch, days to dispose
                   t.stage_start - CASE
                       WHEN t.status IN ('reported', 'rejected') THEN interval '0'
                       WHEN t.status IN ('verifying', 'accepted') THEN interval '8 minutes'
                       WHEN t.status IN ('registered', 'refused') THEN interval '20 minutes'
                       WHEN t.status IN ('dispatched', 'self_disposed') THEN interval '35 minutes'
                       WHEN t.status IN ('disposing', 'return_requested', 'suspended', 'cancelled')
                           THEN interval '50 minutes'
                       ELSE interval '50 minutes' + t.limit_span * (0.2 + 0.9 * t.r_late) END AS received
              FROM timed t
        ), flagged AS (
            SELECT dt.*,
                   CASE WHEN dt.status = ANY({past_register})
                        THEN dt.received + interval '35 minutes' END AS dispatched,
                   CASE WHEN dt.status = ANY({past_disposal})
                        THEN dt.received + interval '50 minutes' + dt.limit_span * (0.2 + 0.9 * dt.r_late)
                   END AS disposed,
                   CASE WHEN dt.is_open AND dt.status <> 'suspended'
                        THEN dt.stage_start + coalesce(dt.limit_minutes * interval '1 minute', dt.limit_span) END
                       AS deadline
              FROM dated dt
        )
        SELECT extract(year FROM f.received AT TIME ZONE 'Asia/Shanghai')::bigint * {ID_SPAN} + {first_serial} - 1
                   + row_number() OVER (ORDER BY f.received, f.n),
               -- as cases.numbering: five digits, more from the 100,000th case of a day on (lpad would cut them)
               to_char(f.received AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-' || CASE
                   WHEN coalesce(cn.last, 0) + row_number() OVER day_order < 100000
                   THEN lpad((coalesce(cn.last, 0) + row_number() OVER day_order)::text, 5, '0')
                   ELSE (coalesce(cn.last, 0) + row_number() OVER day_order)::text END,
               f.kind, f.source, f.urgency,
               f.class_name || ({phrases})[1 + floor(f.r_text * 6)::int],
               f.street_name || ({roads})[1 + floor(f.r_x * 10)::int] || (1 + floor(f.r_y * 300)::int) || '号',
               ST_SetSRID(ST_Translate(f.point, (f.r_x - 0.5) * 0.0006, (f.r_y - 0.5) * 0.0006), 4326),
               f.grid_id, f.grid_code, f.community_code, f.street_code, f.district_code,
               CASE WHEN f.source IN ('collector', 'part_time', 'self_disposal') THEN f.collector_id
                    WHEN f.source = 'video' THEN {operator_id} END,
               CASE WHEN f.source IN ('collector', 'part_time', 'self_disposal')
                    THEN f.received - f.r_text * interval '90 seconds' END,
               f.received, f.status,
               CASE WHEN f.status = ANY({with_department})
                    THEN coalesce(f.default_department_id, f.street_office_id) END,
               CASE WHEN f.status = ANY({past_register})
                    THEN coalesce(f.default_department_id, f.street_office_id) END,
               f.minor_class_id, f.condition_id,
               CASE WHEN f.is_open THEN f.stage_start END, f.deadline,
               f.limit_value, f.limit_unit,
               f.dispatched + f.limit_span,
               CASE WHEN f.status = 'suspended' THEN 60 + 600 * f.r_late END,
               CASE WHEN f.status = ANY({past_accept}) THEN f.received + interval '6 minutes' END,
               CASE WHEN f.status = ANY({past_register}) THEN f.received + interval '20 minutes' END,
               f.dispatched,
               f.disposed,
               CASE WHEN f.status = 'closed' THEN coalesce(f.disposed, f.received) + interval '2 hours' END,
               CASE WHEN f.status = 'cancelled' THEN f.stage_start END,
               CASE WHEN f.status = 'cancelled' THEN 'disposing' ELSE '' END,
               CASE WHEN f.status = ANY({past_accept}) THEN f.r_late < 0.97 END,
               CASE WHEN f.source IN ('hotline_12345', 'hotline_12319', 'online', 'chat_group', 'media')
                         AND f.status <> 'reported' THEN f.r_late < 0.95 END,
               CASE WHEN f.status = ANY({past_register}) THEN f.r_late < 0.96 END,
               CASE WHEN f.status = ANY({past_register}) AND f.status <> 'registered' THEN f.r_late < 0.97 END,
               CASE WHEN f.status = ANY({past_disposal}) THEN f.r_late < 0.93 END,
               CASE WHEN f.status IN ('checked', 'closed') THEN f.r_late < 0.97 END,
               CASE WHEN f.status = 'closed' THEN f.r_late < 0.96 END,
               CASE WHEN f.is_open THEN coalesce(f.deadline < now(), false) ELSE f.r_late >= 0.93
                    AND f.status = 'closed' END,
               f.r_text < 0.01, CASE WHEN f.source IN ('hotline_12345', 'hotline_12319', 'online', 'chat_group',
                                                       'media') AND f.status <> 'reported' THEN true END,
               CASE WHEN f.status IN ('closed', 'checked') AND f.r_text > 0.97 THEN 1 ELSE 0 END,
               CASE WHEN f.status IN ('closed', 'disposing') AND f.r_text BETWEEN 0.5 AND 0.51 THEN 1 ELSE 0 END,
               CASE WHEN f.status IN ('closed', 'disposing') AND f.r_text BETWEEN 0.6 AND 0.62 THEN 1 ELSE 0 END,
               CASE WHEN f.status = 'suspended' THEN 1 ELSE 0 END,
               CASE WHEN f.r_text < 0.01 THEN 1 ELSE 0 END,
               greatest(f.received, f.stage_start,
                        CASE WHEN f.status = 'closed' THEN coalesce(f.disposed, f.received) + interval '2 hours' END)
          FROM flagged f
          -- numbers after those the demo history (or anything else) already took that day
          LEFT JOIN cases_casenumber cn ON cn.day = (f.received AT TIME ZONE 'Asia/Shanghai')::date
        WINDOW day_order AS (PARTITION BY (f.received AT TIME ZONE 'Asia/Shanghai')::date ORDER BY f.received, f.n)
         ORDER BY f.received, f.n
        """,
        {"total": total},
    )
    # Case numbers stay unique with the intake that follows: each day's counter at its highest number.
    cursor.execute(
        """
        INSERT INTO cases_casenumber (day, last)
        SELECT to_date(left(case_no, 8), 'YYYYMMDD'), max(substr(case_no, 10)::int) FROM cases_case GROUP BY 1
        ON CONFLICT (day) DO UPDATE SET last = greatest(cases_casenumber.last, EXCLUDED.last)
        """
    )
    # A merged duplicate points at the case received just before it in the same grid (an earlier report).
    cursor.execute(
        f"""
        UPDATE cases_case d SET merged_into_id = p.previous
          FROM (SELECT id, lag(id) OVER (PARTITION BY grid_code ORDER BY received_at, id) AS previous
                  FROM cases_case) p
         WHERE p.id = d.id AND d.status = 'merged' AND p.previous IS NOT NULL AND d.id %% {ID_SPAN} >= %s
        """,
        [first_serial],
    )
    # Timelines of the open cases and of the last week's closed ones: one event per milestone.
    cursor.execute(
        f"""
        INSERT INTO cases_caseevent (case_id, action, actor_id, role, from_status, to_status, at, opinion, data)
        SELECT c.id, e.action, e.actor, e.role, e.from_status, e.to_status, e.at, '', '{{}}'::jsonb
          FROM cases_case c
          CROSS JOIN LATERAL (VALUES
              ('report', c.reporter_id, 'collector', '', 'reported', c.received_at),
              ('accept', {operator_id}, 'operator', 'reported', 'accepted', c.accepted_at),
              ('register', NULL, 'shift_leader', 'accepted', 'registered', c.registered_at),
              ('dispatch', NULL, 'dispatcher', 'registered', 'dispatched', c.dispatched_at),
              ('dispose', NULL, 'handler', 'disposing', 'disposed', c.disposed_at),
              ('close', NULL, 'shift_leader', 'checked', 'closed', c.closed_at)
          ) AS e(action, actor, role, from_status, to_status, at)
         WHERE e.at IS NOT NULL AND c.id %% {ID_SPAN} >= %s
           AND (c.status NOT IN ('closed', 'rejected', 'refused', 'cancelled', 'merged')
                OR c.received_at > now() - interval '7 days')
        """,
        [first_serial],
    )
    # Pending applications: every return-requested case, a tenth of the disposing ones asking for more time, a few
    # suspension and cancellation requests. Filed by a handler of the case's department.
    cursor.execute(
        f"""
        INSERT INTO cases_caserequest (case_id, kind, status, requested_by_id, requested_at, reason, extension_value,
                                       extension_unit, case_status, decision_opinion)
        SELECT c.id, k.kind, 'pending', coalesce(h.id, (SELECT id FROM core_user WHERE username = 'dispatcher')),
               c.stage_started_at + interval '30 minutes', '申请说明', CASE WHEN k.kind = 'extension' THEN 2 END,
               CASE WHEN k.kind = 'extension' THEN 'work_days' ELSE '' END, c.status, ''
          FROM cases_case c
          CROSS JOIN LATERAL (SELECT CASE WHEN c.status = 'return_requested' THEN 'return'
                                          WHEN mod(c.id, 10) = 1 THEN 'extension'
                                          WHEN mod(c.id, 50) = 2 THEN 'suspension'
                                          WHEN mod(c.id, 100) = 3 THEN 'cancel' END AS kind) k
          LEFT JOIN LATERAL (SELECT min(u.id) AS id FROM core_user u WHERE u.department_id = c.department_id
                               AND u.role = 'handler') h ON true
         WHERE c.status IN ('return_requested', 'disposing') AND k.kind IS NOT NULL AND c.id %% {ID_SPAN} >= %s
        """,
        [first_serial],
    )
    cursor.execute("SELECT status, count(*) FROM cases_case GROUP BY status ORDER BY 2 DESC")
    return dict(cursor.fetchall())


class Report:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []

    def add(self, metric: str, median: float, p95: float, extra: str = "") -> None:
        ok = p95 <= TARGET_MS
        row = (metric, f"{median:,.1f} ms", f"{p95:,.1f} ms", f"≤ {TARGET_MS:.0f} ms", ("ok" if ok else "MISSED"))
        self.rows.append(row)
        print(f"  {metric}: median {row[1]}, p95 {row[2]}  {row[3]}  {row[4]}  {extra}", flush=True)

    def print(self) -> None:
        header = ("request", "median", "p95", "target", "")
        widths = [max(len(r[i]) for r in [*self.rows, header]) for i in range(5)]
        line = "  ".join("{:<%d}" % w for w in widths)  # noqa: UP031
        print()
        print(line.format(*header))
        print(line.format(*("-" * w for w in widths)))
        for row in self.rows:
            print(line.format(*row))
        missed = sum(1 for row in self.rows if row[4] != "ok")
        print(f"\n{len(self.rows) - missed} of {len(self.rows)} within target (p95 ≤ {TARGET_MS:.0f} ms)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per figure (after 2 warm-ups)")
    parser.add_argument("--scale", type=float, default=0.05, help="scale of the demo city (seed_city --scale)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="keep an already filled database")
    parser.add_argument("--queries", action="store_true", help="also print the SQL queries of each request")
    parser.add_argument("--only", default="", help="measure only the requests whose label contains this text")
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

    from core.models import User

    setup_test_environment()  # the test Client needs it; also allows "testserver" as a host
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - start:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        present = cursor.fetchone()[0]
    if not (args.reuse and present >= args.cases * 0.9):
        start = time.perf_counter()
        call_command("seed_city", scale=args.scale, seed=args.seed, stdout=open(os.devnull, "w"))
        print(f"demo city (scale {args.scale:g}) seeded in {time.perf_counter() - start:.1f} s", flush=True)
        start = time.perf_counter()
        with connection.cursor() as cursor:
            # Bulk-load practice: the secondary indexes (all but the primary key and the unique constraints) are
            # dropped for the load and rebuilt after it, exactly as the migrations defined them.
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = 'cases_case'::regclass AND NOT x.indisunique AND NOT x.indisprimary"
            )
            secondary = cursor.fetchall()
            for name, _definition in secondary:
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute("SELECT count(*) FROM cases_case")
            history = cursor.fetchone()[0]  # the demo city's own case history, if seed_city made one
            counts = fill_cases(cursor, max(0, args.cases - history), args.seed)
            loaded = time.perf_counter() - start
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _name, definition in secondary:
                cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))  # a partitioned table's indexes
        seconds = time.perf_counter() - start
        total = sum(counts.values())
        print(
            f"{total - history:,} cases inserted (after {history:,} of the demo history) in {seconds:.1f} s "
            f"({(total - history) / seconds:,.0f} rows/s; {loaded:.1f} s loading, "
            f"{seconds - loaded:.1f} s re-building {len(secondary)} indexes)",
            flush=True,
        )
        print("  " + ", ".join(f"{status} {n:,}" for status, n in counts.items()), flush=True)
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_case")
        cursor.execute("VACUUM ANALYZE cases_caseevent")
        cursor.execute("VACUUM ANALYZE cases_caserequest")
        cursor.execute("SELECT count(*) FROM cases_case")
        present = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('cases_case'))")
        size = cursor.fetchone()[0]
    print(f"VACUUM ANALYZE in {time.perf_counter() - start:.1f} s; {present:,} cases, table with indexes {size}")

    # ---- what to ask for -------------------------------------------------------------------------------------
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.username, c.department_id FROM cases_case c JOIN core_user u ON u.department_id = "
            "c.department_id AND u.role = 'handler' WHERE c.status IN ('dispatched', 'disposing') "
            "GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1"
        )
        handler_name, busy_department = cursor.fetchone()
        cursor.execute(
            "SELECT m.code FROM cases_case c JOIN grids_minorclass m ON m.id = c.minor_class_id "
            "WHERE c.received_at > now() - interval '30 days' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        )
        common_class = cursor.fetchone()[0]
        cursor.execute("SELECT street_code, address, case_no FROM cases_case ORDER BY id DESC LIMIT 1 OFFSET 5000")
        street, address, case_no = cursor.fetchone()
    now = timezone.now()
    month = {"received_after": (now - timedelta(days=60)).isoformat(), "received_before": (now - timedelta(days=30))}
    month["received_before"] = month["received_before"].isoformat()
    road = next(road for road in ROADS if road in address)

    clients: dict[str, Client] = {}

    def client_of(username: str) -> Client:
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        return clients[username]

    report = Report()

    def measure(label: str, username: str, path: str, params: dict | None = None) -> None:
        if args.only not in label:
            return
        client = client_of(username)
        full = path + ("?" + urlencode(params, doseq=True) if params else "")
        for _ in range(2):
            response = client.get(full)
        if response.status_code != 200:
            print(f"  {label}: HTTP {response.status_code} for {full}", flush=True)
            return
        connection.force_debug_cursor = True  # the request's own start clears the log: read it afterwards
        try:
            client.get(full)
            captured = list(connection.queries)
        finally:
            connection.force_debug_cursor = False
        if args.queries:
            for query in captured:
                print(f"      {query['time']} s  {query['sql'][:300]}")
                if float(query["time"]) > 0.05 and query["sql"].startswith("SELECT"):
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN ANALYZE " + query["sql"])
                        print("\n".join("          " + row[0] for row in cursor.fetchall()))
        times = []
        for _ in range(args.requests):
            began = time.perf_counter()
            response = client.get(full)
            times.append((time.perf_counter() - began) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        extra = f"({len(captured)} queries)"
        if response.get("Content-Type", "").startswith("application/json"):
            body = response.json()
            if isinstance(body, dict) and "count" in body:
                extra = f"(count {body['count']:,}, {len(body.get('results', []))} rows, " + extra[1:]
        report.add(label, statistics.median(times), p95, extra)

    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    from citymgmt.wsgi import settle_process

    settle_process()  # as the WSGI entry point does in each web worker before its first request
    print(f"\nconsole queue pages ({args.requests} requests each, after 2 warm-ups)", flush=True)
    measure("console operator: to_accept", "operator", "/cases/", {"queue": "to_accept"})
    measure("console operator: to_check", "operator", "/cases/", {"queue": "to_check"})
    measure("console shift leader: to_register", "leader", "/cases/", {"queue": "to_register"})
    measure("console shift leader: to_close", "leader", "/cases/", {"queue": "to_close"})
    measure("console dispatcher: to_dispatch", "dispatcher", "/cases/", {"queue": "to_dispatch"})
    measure("console dispatcher: return_requests", "dispatcher", "/cases/", {"queue": "return_requests"})
    measure("console dispatcher: extension_requests", "dispatcher", "/cases/", {"queue": "extension_requests"})
    measure(f"console handler ({handler_name}): to_sign", handler_name, "/cases/", {"queue": "to_sign"})
    measure(f"console handler ({handler_name}): disposing", handler_name, "/cases/", {"queue": "disposing"})
    measure("console supervisor: overdue", "supervisor", "/cases/", {"queue": "overdue"})
    measure("console supervisor: open", "supervisor", "/cases/", {"queue": "open"})
    measure("console dispatcher: all cases", "dispatcher", "/cases/", {"queue": "all"})
    measure("console dispatcher: all cases, page 200", "dispatcher", "/cases/", {"queue": "all", "page": 200})
    measure(
        "console dispatcher: all, street + closed",
        "dispatcher",
        "/cases/",
        {"queue": "all", "street": street, "status": "closed"},
    )
    measure("console dispatcher: all, q road", "dispatcher", "/cases/", {"queue": "all", "q": road})
    since = (timezone.now() - timedelta(seconds=5)).isoformat()
    measure("live poll dispatcher", "dispatcher", "/cases/live/", {"queue": "to_dispatch", "since": since})
    measure("live poll operator", "operator", "/cases/live/", {"queue": "to_accept", "since": since})
    measure(f"live poll handler ({handler_name})", handler_name, "/cases/live/", {"queue": "to_sign", "since": since})

    api = "/api/v1/cases/"
    print(f"\nlist API {api} ({args.requests} requests each, after 2 warm-ups)", flush=True)
    centre = [
        ("no filter", {}),
        ("no filter, page 200", {"page": 200}),
        ("status=closed", {"status": "closed"}),
        ("status=disposing", {"status": "disposing"}),
        ("status=reported,registered", {"status": ["reported", "registered"]}),
        (f"class_code={common_class}", {"class_code": common_class}),
        ("street", {"street": street}),
        ("street, page 100", {"street": street, "page": 100}),
        ("department", {"department": busy_department}),
        ("overdue=true", {"overdue": "true"}),
        ("received range (a month)", month),
        (f"q={road}", {"q": road}),
        ("q=case number", {"q": case_no}),
        ("q=day prefix", {"q": case_no[:8]}),
        ("q=暴露垃圾", {"q": "暴露垃圾"}),
        ("q=垃圾 (2 characters: no trigram)", {"q": "垃圾"}),
        ("q=乌龟 (2 characters, no match)", {"q": "乌龟"}),
        ("status=closed + street + month", {"status": "closed", "street": street, **month}),
        (
            "class + overdue + department",
            {"class_code": common_class, "overdue": "true", "department": busy_department},
        ),
        ("source=hotline_12345 + month", {"source": "hotline_12345", **month}),
        ("status=disposing + q", {"status": "disposing", "q": road}),
    ]
    for label, params in centre:
        measure(f"API dispatcher: {label}", "dispatcher", api, params)
    for label, params in [
        ("no filter", {}),
        ("no filter, page 100", {"page": 100}),
        ("status=disposing", {"status": "disposing"}),
        ("overdue=true", {"overdue": "true"}),
        ("month", month),
        (f"q={road}", {"q": road}),
    ]:
        measure(f"API handler {handler_name}: {label}", handler_name, api, params)
    for label, params in [
        ("no filter", {}),
        ("no filter, page 100", {"page": 100}),
        ("status=closed", {"status": "closed"}),
        ("month", month),
        (f"q={road}", {"q": road}),
    ]:
        measure(f"API collector: {label}", "collector", api, params)

    report.print()
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
