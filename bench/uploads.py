"""Benchmark: two large uploads at once against gunicorn, and how ordinary pages fare meanwhile.

    .venv/bin/python bench/uploads.py [--rows 30000] [--workers 2] [--seconds 4]

It (re)creates a scratch database (``BENCH_DATABASE_URL``, default citymgmt_bench_uploads), migrates it, seeds a
small demo city, writes a hotline-order workbook of ``--rows`` rows, and starts gunicorn (``DEBUG=0``) on a spare
127.0.0.1 port three times:

- background imports (the default ``IMPORT_BACKGROUND_ROWS``): the request checks and stores the file, a job row is
  created, and the page answers at once (no Celery worker runs here: the parse is the worker's, not the web's);
- parsing in the request (``IMPORT_BACKGROUND_ROWS`` set above the file's rows: what every upload did before);
- two hostile workbooks (one cell at XFD1048576), refused by the checks before parsing.

In each, two clients upload at once while a third requests the hotline console page (``GET /hotlines/``) in a loop;
it prints each upload's time and the page's latency percentiles against the idle figures, and exits 0: benchmarks
report, they do not fail a build. Only 127.0.0.1 is contacted; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgis://postgres@127.0.0.1:5432/citymgmt_bench_uploads"
CSRF = secrets.token_hex(16)  # 32 characters: Django accepts an unmasked secret in the header


def _prepare(database_url: str) -> str:
    """Recreate the database, migrate, seed; return a session key of the operator (who may import orders)."""
    target = urlparse(database_url)
    name = target.path.lstrip("/")
    admin = ["psql", "-h", target.hostname or "127.0.0.1", "-p", str(target.port or 5432)]
    admin += ["-U", target.username or "postgres", "-d", "postgres", "-qc"]
    subprocess.run([*admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)
    subprocess.run([*admin, f'CREATE DATABASE "{name}"'], check=True)
    env = {**os.environ, "DATABASE_URL": database_url}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], check=True, env=env, cwd=ROOT)
    subprocess.run([*manage, "seed_city", "--scale", "0.01"], check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    code = (
        "from importlib import import_module\n"
        "from django.conf import settings\n"
        "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY\n"
        "from core.models import User\n"
        "user = User.objects.get(username='operator')\n"
        "store = import_module(settings.SESSION_ENGINE).SessionStore()\n"
        "store[SESSION_KEY] = str(user.pk)\n"
        "store[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
        "store[HASH_SESSION_KEY] = user.get_session_auth_hash()\n"
        "store.set_expiry(86400)\n"
        "store.create()\n"
        "print(store.session_key)\n"
    )
    out = subprocess.run([*manage, "shell", "-c", code], check=True, env=env, cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def _orders_workbook(rows: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("工单")
    sheet.append(
        [
            "热线",
            "工单编号",
            "来电时间",
            "来电人",
            "联系电话",
            "诉求类型",
            "诉求内容",
            "地址",
            "经度",
            "纬度",
            "紧急程度",
        ]
    )
    at = datetime(2026, 11, 23, 9, 0)
    for n in range(rows):
        sheet.append(
            ["12345", f"B{n:08d}", at, "张三", "13800001111", "投诉", "占道经营" * 8, "东关路1号", None, None, "一般"]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _far_cell_workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active["XFD1048576"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _headers(session: str) -> dict[str, str]:
    return {"Cookie": f"sessionid={session}; csrftoken={CSRF}", "X-CSRFToken": CSRF, "Host": "127.0.0.1"}


def _upload(port: int, session: str, content: bytes, results: list, index: int) -> None:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="dry_run"\r\n\r\non\r\n'  # check, write nothing
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="orders-{index}.xlsx"\r\n'
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {**_headers(session), "Content-Type": f"multipart/form-data; boundary={boundary}"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    began = time.perf_counter()
    conn.request("POST", "/hotlines/import/", body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    results[index] = (time.perf_counter() - began, response.status)


def _pages(port: int, session: str, stop: threading.Event, latencies: list, seconds: float | None = None) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    deadline = time.perf_counter() + (seconds or 600)
    while not stop.is_set() and time.perf_counter() < deadline:
        began = time.perf_counter()
        conn.request("GET", "/hotlines/", headers=_headers(session))
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"GET /hotlines/ answered {response.status}")
        latencies.append((time.perf_counter() - began) * 1000)
        time.sleep(0.05)


def _serve(database_url: str, workers: int, extra_env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "MEDIA_ROOT": str(ROOT / "media" / "bench"),
        **extra_env,
    }
    command = [str(Path(sys.executable).parent / "gunicorn"), "citymgmt.wsgi", "-b", f"127.0.0.1:{port}"]
    command += ["-w", str(workers), "--timeout", "600", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _scenario(title, database_url, workers, session, content, idle_seconds, extra_env) -> None:
    server, port = _serve(database_url, workers, extra_env)
    try:
        _pages(port, session, threading.Event(), [], 1.0)  # warm both workers
        idle: list[float] = []
        _pages(port, session, threading.Event(), idle, idle_seconds)
        busy: list[float] = []
        stop = threading.Event()
        pager = threading.Thread(target=_pages, args=(port, session, stop, busy))
        pager.start()
        results: list = [None, None]
        uploads = [threading.Thread(target=_upload, args=(port, session, content, results, i)) for i in range(2)]
        for thread in uploads:
            thread.start()
        for thread in uploads:
            thread.join()
        stop.set()
        pager.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\n{title}")
    print(f"  uploads ({len(content) / 1e6:.1f} MB each): " + ", ".join(f"{t:.2f} s → {s}" for t, s in results))
    print(
        f"  GET /hotlines/ idle: p50 {statistics.median(idle):.0f} ms, p95 {_pct(idle, 0.95):.0f} ms ({len(idle)} req)"
    )
    print(
        f"  GET /hotlines/ during the uploads: p50 {statistics.median(busy):.0f} ms, p95 {_pct(busy, 0.95):.0f} ms, "
        f"max {max(busy):.0f} ms ({len(busy)} req)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=4.0, help="idle page sampling per scenario")
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    session = _prepare(database_url)
    began = time.perf_counter()
    big = _orders_workbook(args.rows)
    print(f"workbook of {args.rows:,} orders: {len(big) / 1e6:.1f} MB, written in {time.perf_counter() - began:.1f} s")
    print(f"gunicorn: {args.workers} sync workers, DEBUG=0, on a machine with {os.cpu_count()} cores")
    _scenario(
        "1. two big uploads, imported in the background (default)",
        database_url,
        args.workers,
        session,
        big,
        args.seconds,
        {},
    )
    _scenario(
        "2. two big uploads, parsed in the request (IMPORT_BACKGROUND_ROWS above the file)",
        database_url,
        args.workers,
        session,
        big,
        args.seconds,
        {"IMPORT_BACKGROUND_ROWS": str(10 * args.rows)},
    )
    _scenario(
        "3. two hostile uploads (one cell at XFD1048576), refused before parsing",
        database_url,
        args.workers,
        session,
        _far_cell_workbook(),
        args.seconds,
        {},
    )


if __name__ == "__main__":
    main()
