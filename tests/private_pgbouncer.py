"""A PgBouncer of the test's own (Debian's ``pgbouncer``) in transaction mode, on a spare loopback port in a
scratch directory, in front of the test database's server. PgBouncer refuses to run as root: as root it is started
with ``-u postgres``. Also used by ``scripts/scale_test.py``."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivatePgBouncer:
    def __init__(self, host: str, port: int, user: str, *, pool_size: int = 2, max_clients: int = 200) -> None:
        self.upstream = (host or "127.0.0.1", int(port or 5432))
        self.user = user
        self.pool_size = pool_size
        self.max_clients = max_clients
        self.port = spare_port()
        self.dir = Path(tempfile.mkdtemp(prefix="cm-pgbouncer-"))
        self.process: subprocess.Popen | None = None

    def start(self) -> PrivatePgBouncer:
        host, port = self.upstream
        (self.dir / "users.txt").write_text(f'"{self.user}" ""\n')
        ini = self.dir / "pgbouncer.ini"
        ini.write_text(
            f"""[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {self.dir / "users.txt"}
pool_mode = transaction
default_pool_size = {self.pool_size}
max_client_conn = {self.max_clients}
server_lifetime = 3600
logfile = {self.dir / "pgbouncer.log"}
"""
        )
        args = [PGBOUNCER, str(ini)]
        if os.geteuid() == 0:  # PgBouncer will not run as root
            postgres = pwd.getpwnam("postgres")
            os.chown(self.dir, postgres.pw_uid, postgres.pw_gid)
            for path in self.dir.iterdir():
                os.chown(path, postgres.pw_uid, postgres.pw_gid)
            args = [PGBOUNCER, "-u", "postgres", str(ini)]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"PgBouncer did not start: {self.log()[-2000:]}") from None
                time.sleep(0.05)

    def log(self) -> str:
        path = self.dir / "pgbouncer.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None
        shutil.rmtree(self.dir, ignore_errors=True)
