"""One HTTP POST with the standard library (no proxy unless ``MESSAGING_HTTP_PROXY``), classified for retrying."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings

from core.messaging.senders import Refused, Unavailable

MAX_BODY = 64 * 1024


def _opener() -> urllib.request.OpenerDirector:
    proxy = getattr(settings, "MESSAGING_HTTP_PROXY", "")
    return urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy, "https": proxy} if proxy else {}))


def post(url: str, body: bytes, content_type: str, timeout: float, headers: dict | None = None) -> bytes:
    """POST *body*; the answer's body when the status is 2xx. 429 and 5xx raise Unavailable, other statuses
    Refused with the status and the start of the answer; a network error or a timeout raises Unavailable."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": content_type, **(headers or {})}
    )
    try:
        with _opener().open(request, timeout=timeout) as response:
            return response.read(MAX_BODY)
    except urllib.error.HTTPError as error:
        text = error.read(500).decode("utf-8", "replace").strip()
        reason = f"HTTP {error.code}: {text}" if text else f"HTTP {error.code}"
        if error.code == 429 or error.code >= 500:
            raise Unavailable(reason) from None
        raise Refused(reason) from None
    except (urllib.error.URLError, OSError) as error:  # refused connection, DNS, timeout
        reason = getattr(error, "reason", error)
        raise Unavailable(f"{type(reason).__name__}: {reason}") from None


def post_json(url: str, payload: dict, timeout: float, headers: dict | None = None) -> bytes:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return post(url, body, "application/json; charset=utf-8", timeout, headers)


def answer_json(body: bytes) -> dict | None:
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None
