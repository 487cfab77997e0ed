"""The signature both directions use: HMAC-SHA256 with the peer's key over ``timestamp + "\\n" + nonce + "\\n" +
body``, in four headers. The receiver recomputes it, refuses a timestamp outside the window
(``EXCHANGE_SIGNATURE_WINDOW_SECONDS``, default 300 s either way) and a nonce it has seen inside that window.

    X-Exchange-Peer: 500120                      (who signs: our platform code going up, the peer's code coming down)
    X-Exchange-Timestamp: 1796284800             (Unix seconds)
    X-Exchange-Nonce: 2f1c0d8e4b6a4f1e9a3c5b7d   (random, ≤ 64 characters)
    X-Exchange-Signature: sha256=<hex digest>
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

PEER = "X-Exchange-Peer"
TIMESTAMP = "X-Exchange-Timestamp"
NONCE = "X-Exchange-Nonce"
SIGNATURE = "X-Exchange-Signature"


def signature(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, sender: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """The headers that sign *body*."""
    timestamp = str(int(now if now is not None else time.time()))
    nonce = secrets.token_hex(16)
    return {
        PEER: sender,
        TIMESTAMP: timestamp,
        NONCE: nonce,
        SIGNATURE: signature(secret, timestamp, nonce, body),
    }


class BadSignature(Exception):
    """Why a request is not accepted as signed (said in the 401's body)."""


def verify(secret: str, headers, body: bytes, *, window: int, now: float | None = None) -> tuple[int, str]:
    """Check the signature headers (any case-insensitive mapping); returns (timestamp, nonce) or raises
    BadSignature. The caller records the nonce to refuse a replay."""
    timestamp, nonce, given = headers.get(TIMESTAMP), headers.get(NONCE), headers.get(SIGNATURE)
    if not timestamp or not nonce or not given:
        raise BadSignature("missing signature headers")
    if not timestamp.isdigit():
        raise BadSignature("bad timestamp")
    if not 8 <= len(nonce) <= 64 or not nonce.isascii() or not nonce.isalnum():
        raise BadSignature("bad nonce")
    current = now if now is not None else time.time()
    if abs(current - int(timestamp)) > window:
        raise BadSignature("timestamp outside the window")
    if not hmac.compare_digest(signature(secret, timestamp, nonce, body), given):
        raise BadSignature("signature does not match")
    return int(timestamp), nonce
