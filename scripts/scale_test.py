"""make scale-test: the production shape on one machine, a mixed workload, a web node and a worker killed midway.

Starts, in a scratch directory: a PostgreSQL primary of its own (initdb on a spare port, ``wal_level = replica`` and a
replication line in its own pg_hba.conf — the machine's shared server is never reconfigured) and a streaming replica
made from it with ``pg_basebackup -R``; a PgBouncer in transaction mode in front of each; two gunicorn instances behind
a small round-robin proxy (the next instance is tried when one refuses the connection, as nginx's
``proxy_next_upstream``); two Celery workers on different queues with the machine's RabbitMQ as broker (a queue prefix
of this run's own). Then collectors report (each report retried with its ``client_uuid`` until answered), operators
accept, supervisors and dispatchers read lists, bulletins and figures (the replica), and tasks are published to the
default and rollups queues. Midway one gunicorn instance and the rollups worker are killed with SIGKILL (the worker is
replaced, as a process supervisor would). Prints requests served, errors, reports stored exactly once, replica lag,
tasks lost, and whether the case tally behind the queue counts still agrees with the cases. Not part of
``make test``. Run as root (PostgreSQL and PgBouncer then run as ``postgres``) or as a user who may run PostgreSQL's
binaries.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import pwd
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.private_pgbouncer import PrivatePgBouncer, spare_port  # noqa: E402

VENV = ROOT / ".venv" / "bin"
BROKER = os.environ.get("SCALE_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
PASSWORD = "citymgmt-demo"
DB = "citymgmt_scale"
ROOTED = os.geteuid() == 0


def pg_bin(name: str) -> str:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    return str(versions[-1] / name)


def as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if ROOTED else args


def run(args: list[str], **kwargs) -> None:
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, **kwargs)


def say(text: str) -> None:
    print(f"[scale-test {time.strftime('%H:%M:%S')}] {text}", flush=True)


# ---- PostgreSQL: a primary of our own and its streaming replica ------------------------------------------------


class Cluster:
    def __init__(self, scratch: Path, name: str) -> None:
        self.dir = scratch / name
        self.port = spare_port()
        self.scratch = scratch

    def configure(self) -> None:
        with (self.dir / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.scratch}'\n"
                "wal_level = replica\nmax_wal_senders = 5\nfsync = off\nshared_buffers = 128MB\n"
                "max_connections = 100\nhot_standby = on\n"
            )

    def initdb(self) -> None:
        run(
            as_postgres(
                [pg_bin("initdb"), "-D", str(self.dir), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale"]
            )
        )
        (self.dir / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n"
        )
        self.configure()

    def base_backup_of(self, primary: Cluster) -> None:
        run(
            as_postgres(
                [
                    pg_bin("pg_basebackup"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(primary.port),
                    "-U",
                    "postgres",
                    "-D",
                    str(self.dir),
                    "-R",
                    "-X",
                    "stream",
                    "-c",
                    "fast",
                ]
            )
        )
        self.configure()  # the copied configuration names the primary's port: ours comes last and wins

    def start(self) -> None:
        run(
            as_postgres(
                [pg_bin("pg_ctl"), "-D", str(self.dir), "-l", str(self.dir / "log"), "-w", "-t", "120", "start"]
            )
        )

    def stop(self) -> None:
        subprocess.run(
            as_postgres([pg_bin("pg_ctl"), "-D", str(self.dir), "-m", "immediate", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def connect(self, dbname: str = DB):
        link = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname)
        link.autocommit = True
        return link

    def scalar(self, sql: str, params=None, dbname: str = DB):
        link = self.connect(dbname)
        try:
            with link.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()
        finally:
            link.close()


# ---- The round-robin proxy ------------------------------------------------------------------------------------


class Proxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, backends: list[int]) -> None:
        self.backends = backends
        self.turn = 0
        self.down_until: dict[int, float] = {}
        self.lock = threading.Lock()
        self.retried = 0
        super().__init__(("127.0.0.1", spare_port()), ProxyHandler)

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):  # a client that gave up
            super().handle_error(request, client_address)

    def order(self) -> list[int]:
        with self.lock:
            self.turn += 1
            ring = self.backends[self.turn % len(self.backends) :] + self.backends[: self.turn % len(self.backends)]
        now = time.monotonic()
        return [b for b in ring if self.down_until.get(b, 0) < now] or ring


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
        for port in self.server.order():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                conn.connect()
            except OSError:  # refused: this instance is down, try the next (nothing was sent)
                self.server.down_until[port] = time.monotonic() + 5
                self.server.retried += 1
                continue
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                payload = answer.read()
            except OSError:  # died mid-request: only a GET may be sent again
                self.server.down_until[port] = time.monotonic() + 5
                if self.command == "GET":
                    self.server.retried += 1
                    continue
                break
            finally:
                conn.close()
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in ("connection", "transfer-encoding", "content-length"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        self.send_response(502)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = _forward


# ---- The workload -------------------------------------------------------------------------------------------


class Client:
    def __init__(self, port: int, stats: Counter, lock: threading.Lock) -> None:
        self.port = port
        self.stats = stats
        self.lock = lock
        self.conn = None

    def call(self, method: str, path: str, body=None, token: str | None = None) -> tuple[int, dict | list | None]:
        headers = {"Content-Type": "application/json", "Host": "127.0.0.1"}
        if token:
            headers["Authorization"] = f"Token {token}"
        for _attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                break
            except (OSError, http.client.HTTPException):
                self.conn = None
        else:
            self.count("error: connection")
            return 0, None
        self.count("served" if response.status < 500 else f"error: {response.status}")
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, None

    def count(self, key: str) -> None:
        with self.lock:
            self.stats[key] += 1


def token_for(port: int, username: str) -> str:
    client = Client(port, Counter(), threading.Lock())
    status, body = client.call(
        "POST", "/api/v1/auth/token/", {"username": username, "password": PASSWORD, "device": "scale-test"}
    )
    if status != 200:
        raise RuntimeError(f"no token for {username}: {status} {body}")
    return body["token"]


class Workload:
    def __init__(self, port: int, points: list[tuple[float, float]], class_codes: list[str], seconds: float) -> None:
        self.port = port
        self.points = points
        self.class_codes = class_codes
        self.deadline = time.monotonic() + seconds
        self.stats: Counter = Counter()
        self.lock = threading.Lock()
        self.acknowledged: set[str] = set()
        self.abandoned: set[str] = set()
        self.tokens = {name: token_for(port, name) for name in ("collector", "operator", "dispatcher", "supervisor")}

    def running(self) -> bool:
        return time.monotonic() < self.deadline

    def collector(self) -> None:
        client = Client(self.port, self.stats, self.lock)
        while self.running():
            lng, lat = random.choice(self.points)
            body = {
                "client_uuid": str(uuid.uuid4()),
                "class_code": random.choice(self.class_codes),
                "lng": lng,
                "lat": lat,
                "address": "压力测试",
                "description": "scale test",
            }
            for _ in range(10):  # the app retries with the same client_uuid until it has an answer
                status, answer = client.call("POST", "/api/v1/cases/", body, self.tokens["collector"])
                if status in (200, 201):
                    self.acknowledged.add(body["client_uuid"])
                    break
                if 400 <= status < 500:
                    self.abandoned.add(body["client_uuid"])
                    fields = ",".join(sorted(answer)) if isinstance(answer, dict) else ""
                    client.count(f"refused: {status} {fields}")
                    break
                time.sleep(0.2)
            else:
                self.abandoned.add(body["client_uuid"])

    def operator(self) -> None:
        client = Client(self.port, self.stats, self.lock)
        while self.running():
            status, body = client.call(
                "GET", "/api/v1/cases/?status=reported&page_size=5", None, self.tokens["operator"]
            )
            for row in (body or {}).get("results", [])[:2] if status == 200 else []:
                client.call("POST", f"/api/v1/cases/{row['id']}/accept/", {}, self.tokens["operator"])

    def reader(self) -> None:
        client = Client(self.port, self.stats, self.lock)
        end = date.today()
        start = end - timedelta(days=30)
        paths = [
            ("dispatcher", "/api/v1/cases/?page_size=20"),
            ("supervisor", "/api/v1/bulletins/"),
            ("supervisor", f"/api/v1/indicators/figures/?start={start}&end={end}"),
        ]
        while self.running():
            who, path = random.choice(paths)
            client.call("GET", path, None, self.tokens[who])


# ---- Celery ----------------------------------------------------------------------------------------------------


def publisher(prefix: str):
    from celery import Celery

    from citymgmt.queues import celery_queue_settings

    app = Celery("scale-test", broker=BROKER, set_as_current=False)
    app.conf.update(celery_queue_settings(prefix))
    return app


def queued(prefix: str) -> int:
    """Messages waiting in the run's queues (not yet delivered to a worker)."""
    from kombu import Connection

    with Connection(BROKER) as conn:
        channel = conn.channel()
        return sum(channel.queue_declare(prefix + q, passive=True).message_count for q in ("default", "rollups"))


def succeeded_ids(logs: list[Path]) -> set[str]:
    pattern = re.compile(r"Task [\w.]+\[([0-9a-f-]+)\] succeeded")
    found: set[str] = set()
    for log in logs:
        if log.exists():
            found |= set(pattern.findall(log.read_text(errors="replace")))
    return found


# ---- The run ---------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of the workload")
    parser.add_argument("--scale", type=float, default=0.01, help="seed_city's scale for the scratch city")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    options = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="cm-scale-"))
    if ROOTED:
        postgres = pwd.getpwnam("postgres")
        os.chmod(scratch, 0o755)
        os.chown(scratch, postgres.pw_uid, postgres.pw_gid)
    prefix = f"scale-{uuid.uuid4().hex[:8]}-"
    primary, replica = Cluster(scratch, "primary"), Cluster(scratch, "replica")
    processes: dict[str, subprocess.Popen] = {}
    bouncers: list[PrivatePgBouncer] = []
    proxy = None

    def spawn(name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = (scratch / f"{name}.log").open("w")
        processes[name] = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return processes[name]

    def kill(name: str) -> None:
        process = processes[name]
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    try:
        say(f"scratch directory {scratch}")
        primary.initdb()
        primary.start()
        run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(primary.port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-qc",
                f"CREATE DATABASE {DB}",
            ]
        )
        primary.scalar("CREATE EXTENSION IF NOT EXISTS postgis; SELECT 1")
        base_env = {
            **os.environ,
            "DATABASE_URL": f"postgis://postgres@127.0.0.1:{primary.port}/{DB}",
            "CACHE_KEY_PREFIX": f"cm-{prefix}",
            "MEDIA_ROOT": str(scratch / "media"),
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "THROTTLE_ANON": "",
            "THROTTLE_USER": "",
            "THROTTLE_LOGIN": "",
            "THROTTLE_INTAKE": "",
            "LOGIN_FAILURE_LIMIT": "100000",
            "CELERY_BROKER_URL": BROKER,
            "CELERY_QUEUE_PREFIX": prefix,
            "LOG_LEVEL": "WARNING",
        }
        say("primary: migrate and seed a small city")
        run([str(VENV / "python"), "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=base_env)
        run([str(VENV / "python"), "manage.py", "seed_city", "--scale", str(options.scale)], cwd=ROOT, env=base_env)
        say("replica: pg_basebackup -R from the primary, started as a hot standby")
        replica.base_backup_of(primary)
        replica.start()
        for cluster in (primary, replica):
            bouncers.append(PrivatePgBouncer("127.0.0.1", cluster.port, "postgres", pool_size=12).start())
        env = {
            **base_env,
            "DATABASE_URL": f"postgis://postgres@127.0.0.1:{bouncers[0].port}/{DB}",
            "DATABASE_REPLICA_URL": f"postgis://postgres@127.0.0.1:{bouncers[1].port}/{DB}",
            "DB_POOLER": "transaction",
        }
        webs = [spare_port(), spare_port()]
        for index, port in enumerate(webs, 1):
            spawn(
                f"web{index}",
                [
                    str(VENV / "gunicorn"),
                    "citymgmt.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--timeout",
                    "60",
                ],
                env,
            )
        celery = [
            str(VENV / "celery"),
            "-A",
            "citymgmt",
            "worker",
            "-l",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ]
        queues = ",".join(prefix + q for q in ("default", "notifications", "exchange", "exports"))
        spawn("worker-general", [*celery, "-Q", queues, "-n", f"general-{prefix}@%h", "-c", "2"], env)
        spawn("worker-rollups", [*celery, "-Q", prefix + "rollups", "-n", f"rollups-{prefix}@%h", "-c", "1"], env)
        proxy = Proxy(webs)
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        deadline = time.monotonic() + 120
        while True:
            try:
                status = http.client.HTTPConnection("127.0.0.1", proxy.server_address[1], timeout=10)
                status.request("GET", "/login/")
                if status.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the web instances did not answer")
            time.sleep(0.5)

        link = primary.connect()
        with link.cursor() as cursor:
            cursor.execute(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geometry) p FROM grids_unitgrid "
                "WHERE valid_to IS NULL ORDER BY random() LIMIT 50) s"
            )
            points = cursor.fetchall()
            cursor.execute(
                "SELECT DISTINCT m.code FROM cases_case c JOIN grids_minorclass m ON m.id = c.minor_class_id "
                "WHERE c.source = 'collector' AND m.is_active LIMIT 20"  # classes the demo's collectors report
            )
            class_codes = [row[0] for row in cursor.fetchall()]
        link.close()
        replica_reads_before = replica.scalar("SELECT xact_commit FROM pg_stat_database WHERE datname = %s", [DB])[0]

        say(f"workload: {options.seconds:.0f} s through the proxy; midway web1 and the rollups worker are killed")
        load = Workload(proxy.server_address[1], points, class_codes, options.seconds)
        threads = [threading.Thread(target=load.collector) for _ in range(3)]
        threads += [
            threading.Thread(target=load.operator),
            threading.Thread(target=load.reader),
            threading.Thread(target=load.reader),
        ]
        for thread in threads:
            thread.start()
        app = publisher(prefix)
        sent: list[str] = []
        lag_samples: list[float] = []
        killed = False
        began = time.monotonic()
        while load.running():
            tasks = ["cases.tasks.mark_overdue", "evaluation.tasks.sync_facts"]
            if len(lag_samples) % 5 == 0:  # the heavy one, every fifth second
                tasks.append("evaluation.tasks.rebuild_rollups")
            for task in tasks:
                task_id = str(uuid.uuid4())
                app.send_task(task, task_id=task_id, ignore_result=True)
                sent.append(task_id)
            lag = primary.scalar(
                "SELECT coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0) FROM pg_stat_replication"
            )[0]
            lag_samples.append(float(lag))
            if not killed and time.monotonic() - began > options.seconds / 2:
                kill("web1")
                kill("worker-rollups")
                say("killed web1 (SIGKILL to its process group) and the rollups worker; a new rollups worker starts")
                spawn(
                    "worker-rollups-2",
                    [*celery, "-Q", prefix + "rollups", "-n", f"rollups2-{prefix}@%h", "-c", "1"],
                    env,
                )
                killed = True
            time.sleep(1)
        for thread in threads:
            thread.join(timeout=120)

        logs = [scratch / f"{name}.log" for name in ("worker-general", "worker-rollups", "worker-rollups-2")]
        say(f"waiting for the {len(sent)} published tasks to finish")
        # Until every task has finished, or nothing moved for two minutes with the queues empty.
        done, moved = 0, time.monotonic()
        while not set(sent) <= succeeded_ids(logs) and time.monotonic() - moved < 120:
            time.sleep(2)
            if len(succeeded_ids(logs)) != done or queued(prefix):
                done, moved = len(succeeded_ids(logs)), time.monotonic()
        still_queued = queued(prefix)
        lost = set(sent) - succeeded_ids(logs)
        killed_log = (scratch / "worker-rollups.log").read_text(errors="replace")
        redelivered = sum(
            1
            for task_id in sent
            if f"[{task_id}] received" in killed_log and f"[{task_id}] succeeded" not in killed_log
        )

        # Reports stored exactly once: every acknowledged client_uuid is one case, none twice.
        link = primary.connect()
        with link.cursor() as cursor:
            cursor.execute(
                "SELECT client_uuid::text, count(*) FROM cases_case WHERE client_uuid::text = ANY(%s) GROUP BY 1",
                [list(load.acknowledged | load.abandoned)],
            )
            stored = dict(cursor.fetchall())
            cursor.execute("SELECT count(*) FROM cases_case")
            primary_cases = cursor.fetchone()[0]
        link.close()
        once = sum(1 for u in load.acknowledged if stored.get(u) == 1)
        twice = sum(1 for count in stored.values() if count > 1)
        missing = sum(1 for u in load.acknowledged if u not in stored)
        time.sleep(1)
        lag_bytes, lag_replay = primary.scalar(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), replay_lag FROM pg_stat_replication"
        )
        replica_cases = replica.scalar("SELECT count(*) FROM cases_case")[0]
        replica_reads = replica.scalar("SELECT xact_commit FROM pg_stat_database WHERE datname = %s", [DB])[0]

        # The case tally the queue counts read, kept by triggers under every write of the run: still the cases' count.
        checked = subprocess.run(
            [str(VENV / "python"), "manage.py", "check_case_tally"],
            cwd=ROOT,
            env=base_env,
            capture_output=True,
            text=True,
        )
        tally_agrees = checked.returncode == 0

        errors = {k: v for k, v in load.stats.items() if k.startswith("error")}
        print()
        print("scale-test results")
        print(f"  requests served (answered < 500):   {load.stats['served']:,}")
        print(f"  errors seen by clients:             {sum(errors.values())} {errors or ''}")
        print(f"  proxy retries on a dead instance:   {proxy.retried}")
        refused = {k.removeprefix("refused: "): v for k, v in load.stats.items() if k.startswith("refused")}
        print(f"  reports refused (4xx, by field):    {sum(refused.values())} {refused or ''}")
        print(f"  reports acknowledged:               {len(load.acknowledged)}")
        print(f"  reports stored exactly once:        {once} (duplicates {twice}, acknowledged but missing {missing})")
        print(f"  replica lag at the end:             {lag_bytes} bytes, replay_lag {lag_replay}")
        print(f"  replica lag during the run (max):   {max(lag_samples or [0]):,.0f} bytes")
        print(f"  cases on primary / replica:         {primary_cases} / {replica_cases}")
        print(f"  transactions served by the replica: {replica_reads - replica_reads_before:,}")
        print(f"  tasks published:                    {len(sent)}")
        print(f"  tasks redelivered after the kill:   {redelivered}")
        print(f"  tasks lost:                         {len(lost)} (still queued at the end: {still_queued})")
        tally_says = "agrees with the cases" if tally_agrees else (checked.stderr or checked.stdout).strip()[-300:]
        print(f"  case tally (queue counts):          {tally_says}")
        ok = not lost and not twice and not missing and primary_cases == replica_cases and tally_agrees
        print(f"  verdict:                            {'OK' if ok else 'FAILED'}")
        return 0 if ok else 1
    finally:
        if proxy is not None:
            proxy.shutdown()
        for name in list(processes):
            kill(name)
        for bouncer in bouncers:
            bouncer.stop()
        replica.stop()
        primary.stop()
        try:
            from kombu import Connection

            with Connection(BROKER) as conn:
                channel = conn.channel()
                for queue in ("default", "rollups", "exports", "exchange", "notifications"):
                    channel.queue_delete(prefix + queue)
        except Exception as exc:  # cleaning up is best effort
            say(f"could not delete the run's queues: {exc}")
        if options.keep:
            say(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
