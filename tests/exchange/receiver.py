"""An upper platform for the tests: a real HTTP server on 127.0.0.1 (a port the OS picks) that checks the
signature of every batch with its own HMAC code (not ours), answers per record, and can refuse records, refuse a
whole batch, fail with a 503, or go away (``stop``) and come back on the same port (``start``)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, secret: str):
        self.secret = secret
        self.port = 0
        self.server: ThreadingHTTPServer | None = None
        self.lock = threading.Lock()
        self.arrivals: list[tuple[str, str, int]] = []  # every record accepted, in arrival order
        self.records: dict[tuple[str, str], dict] = {}  # the highest version of each record, as a peer keeps it
        self.duplicates = 0
        self.bad_signatures = 0
        self.batches = 0
        self.refuse: dict[tuple[str, str], str] = {}  # (kind, id) → reason: refused per record
        self.refuse_batch: str | None = None  # a reason: the whole batch refused with 422
        self.fail_with: int | None = None  # e.g. 503
        self.nonces: set[str] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/upload"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self, status: int, data: dict) -> None:
                body = json.dumps(data, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                stamp, nonce = self.headers.get("X-Exchange-Timestamp", ""), self.headers.get("X-Exchange-Nonce", "")
                message = stamp.encode() + b"\n" + nonce.encode() + b"\n" + body
                expected = "sha256=" + hmac.new(receiver.secret.encode(), message, hashlib.sha256).hexdigest()
                given = self.headers.get("X-Exchange-Signature", "")
                fresh = stamp.isdigit() and abs(time.time() - int(stamp)) <= 300 and nonce not in receiver.nonces
                if not hmac.compare_digest(expected, given) or not fresh:
                    with receiver.lock:
                        receiver.bad_signatures += 1
                    return self._answer(401, {"reason": "签名无效"})
                receiver.nonces.add(nonce)
                if receiver.fail_with:
                    return self._answer(receiver.fail_with, {"reason": "维护中"})
                if receiver.refuse_batch:
                    return self._answer(422, {"reason": receiver.refuse_batch})
                batch = json.loads(body)
                results = []
                with receiver.lock:
                    receiver.batches += 1
                    for record in batch["records"]:
                        kind, key, version = record["kind"], record["id"], record["version"]
                        reason = receiver.refuse.get((kind, key))
                        if reason:
                            results.append(
                                {"kind": kind, "id": key, "version": version, "status": "refused", "reason": reason}
                            )
                            continue
                        if (kind, key, version) in receiver.arrivals:
                            receiver.duplicates += 1
                        else:
                            receiver.arrivals.append((kind, key, version))
                        stored = receiver.records.get((kind, key))
                        if stored is None or stored["version"] < version:
                            receiver.records[(kind, key)] = {"version": version, "data": record["data"]}
                        results.append({"kind": kind, "id": key, "version": version, "status": "accepted"})
                return self._answer(200, {"results": results})

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def versions(self, kind: str, key: str) -> list[int]:
        """The versions of one record in the order they arrived."""
        return [v for k, i, v in self.arrivals if (k, i) == (kind, key)]
