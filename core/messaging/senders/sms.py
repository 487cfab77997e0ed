"""A generic HTTP SMS gateway (短信网关): most Chinese gateways take an account, a password or key, a signature
(签名), a template code and the number, as JSON or as a form. The request this sender makes:

``POST {url}`` with ``Content-Type: application/json`` (or form-encoded, ``params`` then a JSON string)::

    {"account": "cgzx", "password": "<key, if set>", "mobile": "13800138000", "sign_name": "璧山城管",
     "template": "SMS_0001", "params": {"kind": "案件超期", "message": "…"}, "content": "【璧山城管】…",
     "out_id": "cm-42", "timestamp": "1764720000"}

With a signing secret it adds ``X-Timestamp`` (the same seconds) and ``X-Signature`` = hex HMAC-SHA256(secret,
timestamp + "\\n" + body). ``out_id`` is the delivery's own id, the same on every retry, so a gateway that
deduplicates on it never sends twice. Success: HTTP 2xx and, if the answer is JSON with a ``code``, a code of 0,
"0", "OK" or "success" (any other code is a refusal with the gateway's ``message``/``msg``); 429 and 5xx are
retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

from core.messaging.senders import Refused
from core.messaging.senders.http import answer_json, post
from core.messaging.texts import label, sms_text

SUCCESS_CODES = {"0", "ok", "success", "200"}


def request_body(channel, delivery, timestamp: int) -> tuple[bytes, str]:
    fields = {
        "account": channel.account,
        "password": channel.token,
        "mobile": delivery.address,
        "sign_name": channel.sign_name,
        "template": channel.template,
        "params": {"kind": label(delivery), "message": delivery.message},
        "content": sms_text(delivery, channel.sign_name),
        "out_id": f"cm-{delivery.pk}",
        "timestamp": str(timestamp),
    }
    if not channel.token:
        del fields["password"]
    if channel.body_format == "form":
        fields["params"] = json.dumps(fields["params"], ensure_ascii=False)
        return urlencode(fields).encode("utf-8"), "application/x-www-form-urlencoded; charset=utf-8"
    return json.dumps(fields, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), str(timestamp).encode() + b"\n" + body, hashlib.sha256).hexdigest()


def send(channel, delivery) -> str:
    timestamp = int(time.time())
    body, content_type = request_body(channel, delivery, timestamp)
    headers = {}
    if channel.secret:
        headers = {"X-Timestamp": str(timestamp), "X-Signature": signature(channel.secret, timestamp, body)}
    answer = answer_json(post(channel.url, body, content_type, channel.timeout, headers))
    if answer is None or "code" not in answer:
        return "ok"
    if str(answer["code"]).strip().lower() in SUCCESS_CODES:
        return str(answer.get("message_id") or answer.get("msgid") or answer.get("request_id") or "ok")[:100]
    raise Refused(f"code {answer['code']}: {answer.get('message') or answer.get('msg') or ''}")
