"""Real HTTP receivers on 127.0.0.1 (port chosen by the OS) standing in for an SMS gateway, a WeChat Work robot and a
DingTalk robot. Each checks what the real one checks (key, access token, DingTalk's timestamp + sign, the SMS
gateway's password and X-Signature), records every request, and can be told to fail the next requests on purpose.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    path: str
    query: dict
    headers: dict
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8")).items()}


@dataclass
class Receiver:
    """``answer(request) -> (status, body dict)`` decides the reply; ``fail_next`` replies queued first."""

    answer: object
    requests: list[Received] = field(default_factory=list)
    fail_next: list[tuple[int, dict | str]] = field(default_factory=list)
    accepted: list[Received] = field(default_factory=list)

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                request = Received(
                    parts.path,
                    {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )
                receiver.requests.append(request)
                if receiver.fail_next:
                    status, body = receiver.fail_next.pop(0)
                else:
                    status, body = receiver.answer(request)
                    if status == 200 and body.get("errcode", 0) == 0 and str(body.get("code", "0")) == "0":
                        receiver.accepted.append(request)
                data = (json.dumps(body) if isinstance(body, dict) else body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def wecom_robot(key: str):
    """企业微信群机器人: /cgi-bin/webhook/send?key=KEY, a text or markdown message; 93000 for a wrong key."""

    def answer(request: Received):
        if request.path != "/cgi-bin/webhook/send" or request.query.get("key") != key:
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
        body = request.json()
        if body.get("msgtype") != "text" or not body.get("text", {}).get("content"):
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        return 200, {"errcode": 0, "errmsg": "ok"}

    return answer


def dingtalk_robot(access_token: str, secret: str):
    """钉钉自定义机器人 with 加签: timestamp (ms, within an hour) and sign = base64(HMAC-SHA256(secret,
    "timestamp\\nsecret")), URL-encoded; 310000 when the sign does not match."""

    def answer(request: Received):
        if request.path != "/robot/send" or request.query.get("access_token") != access_token:
            return 200, {"errcode": 300001, "errmsg": "token is not exist"}
        timestamp = request.query.get("timestamp", "")
        if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600 * 1000:
            return 200, {"errcode": 310000, "errmsg": "timestamp is invalid"}
        digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        # parse_qs has decoded the query once: what arrives must be the base64 text itself.
        if request.query.get("sign") != base64.b64encode(digest).decode():
            return 200, {"errcode": 310000, "errmsg": "sign not match"}
        body = request.json()
        if body.get("msgtype") != "text" or "isAtAll" not in body.get("at", {}):
            return 200, {"errcode": 40035, "errmsg": "missing parameter"}
        return 200, {"errcode": 0, "errmsg": "ok"}

    return answer


def sms_gateway(account: str, password: str, signing_key: str):
    """The generic SMS gateway: account + password in the body and X-Signature over timestamp + body."""

    def answer(request: Received):
        if request.path != "/sms/send":
            return 404, {"code": "404", "message": "no such path"}
        timestamp = request.headers.get("x-timestamp", "")
        expected = hmac.new(signing_key.encode(), timestamp.encode() + b"\n" + request.body, hashlib.sha256)
        if request.headers.get("x-signature") != expected.hexdigest():
            return 401, {"code": "E401", "message": "bad signature"}
        body = request.json() if "json" in request.headers.get("content-type", "") else request.form()
        if body.get("account") != account or body.get("password") != password:
            return 200, {"code": "E101", "message": "bad account or password"}
        mobile = str(body.get("mobile", ""))
        if len(mobile) != 11 or not mobile.startswith("1"):
            return 200, {"code": "E102", "message": f"invalid mobile {mobile}"}
        return 200, {"code": "0", "message": "ok", "message_id": f"m-{body.get('out_id')}"}

    return answer
