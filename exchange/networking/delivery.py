"""Sending a peer's queue: signed JSON batches over HTTP(S), the peer's answer per record, back-off when it fails.

One sender per peer at a time (a PostgreSQL advisory lock on the peer: a second worker skips it). A batch is the
peer's oldest queued rows in id order, which is version order per record, and the next batch starts again from
the oldest row still queued: so when a batch fails (connection refused, timeout, 5xx, 401/403/408/425/429, an
answer missing a record) nothing newer of the same case can overtake it — the peer is retried as a whole after
``5 s × 2^(failures − 1)`` (at most ``EXCHANGE_MAX_BACKOFF_SECONDS``). The request::

    POST <peer url>   Content-Type: application/json; signed as in signing.py
    {"platform": "500120", "records": [{"kind": "case", "id": "20261203-00042", "version": 3, "data": {…}}, …]}

The peer answers 2xx with ``{"results": [{"kind", "id", "version", "status": "accepted" | "refused", "reason"}]}``
(a 2xx without results marks the batch *sent*), or refuses the whole batch with another 4xx and a reason
(``{"reason": "…"}`` or text). Refusals are final until someone resends from the admin. A peer must keep the
highest version per (kind, id) and ignore a version it already has: resending is then harmless.
"""

from __future__ import annotations

import http.client
import json
import logging
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from exchange.networking import signing
from exchange.networking.models import Delivery, DeliveryAttempt, DeliveryState, Peer
from exchange.networking.services import platform_code

logger = logging.getLogger(__name__)
TRANSIENT = {401, 403, 408, 425, 429}


def backoff(failures: int) -> timedelta:
    return timedelta(seconds=min(settings.EXCHANGE_MAX_BACKOFF_SECONDS, 5 * 2 ** max(failures - 1, 0)))


class Sender:
    """A kept-alive HTTP(S) connection to one peer."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.https = parts.scheme == "https"
        self.host, self.port = parts.hostname, parts.port
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.conn = None

    def _connect(self):
        timeout = settings.EXCHANGE_HTTP_TIMEOUT
        if self.https:
            context = ssl.create_default_context(cafile=settings.EXCHANGE_CA_FILE or None)
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=context)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def post(self, body: bytes, headers: dict) -> tuple[int, bytes]:
        for attempt in (1, 2):  # a kept-alive connection the peer closed meanwhile is opened once more
            if self.conn is None:
                self.conn = self._connect()
            try:
                self.conn.request("POST", self.path, body=body, headers=headers)
                response = self.conn.getresponse()
                return response.status, response.read(1_000_000)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt == 2:
                    raise
            except Exception:
                self.close()
                raise
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _reason(text: bytes) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return text.decode("utf-8", "replace").strip()[:1000]
    if isinstance(data, dict):
        for name in ("reason", "error", "detail", "message"):
            if data.get(name):
                return str(data[name])[:1000]
    return json.dumps(data, ensure_ascii=False)[:1000]


def _body(rows) -> bytes:
    """The batch as JSON, the stored record texts pasted in as they are (no re-encoding)."""
    parts = [
        f'{{"kind":{json.dumps(kind)},"id":{json.dumps(key)},"version":{version},"data":{raw}}}'
        for _pk, kind, key, version, raw in rows
    ]
    return f'{{"platform":{json.dumps(platform_code())},"records":[{",".join(parts)}]}}'.encode()


@dataclass
class Verdict:
    """What the peer's answer to one batch means for each of its rows (computed before anything is written)."""

    status: int | None
    acknowledged: list[int] = field(default_factory=list)
    refused: dict[str, list[int]] = field(default_factory=dict)
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)  # to send again, from the oldest, after the back-off
    error: str = ""
    milliseconds: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed


def post(peer: Peer, sender: Sender, rows) -> tuple[int | None, bytes, str, int]:
    """POST one signed batch: (HTTP status or None, answer body, transport error, milliseconds)."""
    body = _body(rows)
    headers = {"Content-Type": "application/json", **signing.sign(peer.secret, platform_code(), body)}
    started = time.monotonic()
    try:
        status, text = sender.post(body, headers)
    except (OSError, http.client.HTTPException) as error:
        return None, b"", f"{type(error).__name__}: {error}", int((time.monotonic() - started) * 1000)
    return status, text, "", int((time.monotonic() - started) * 1000)


def judge(rows, status: int | None, text: bytes, error: str, milliseconds: int) -> Verdict:
    """Read the peer's answer (module docstring): per record, or the whole batch refused, or a failure."""
    ids = [row[0] for row in rows]
    verdict = Verdict(status, milliseconds=milliseconds)
    if status is None or status in TRANSIENT or status >= 500 or status < 200 or 300 <= status < 400:
        verdict.failed, verdict.error = ids, error or f"HTTP {status}: {_reason(text)}"
        return verdict
    if status >= 400:  # a 4xx refusing the whole batch
        verdict.refused[_reason(text) or f"HTTP {status}"] = ids
        return verdict
    try:
        results = json.loads(text).get("results") if text else None
    except (ValueError, AttributeError):
        results = None
    if not isinstance(results, list):
        verdict.sent = ids
        return verdict
    by_record = {(kind, key, version): pk for pk, kind, key, version, _raw in rows}
    for result in results:
        if not isinstance(result, dict):
            continue
        pk = by_record.pop((result.get("kind"), str(result.get("id")), result.get("version")), None)
        if pk is None:
            continue
        if result.get("status") == "accepted":
            verdict.acknowledged.append(pk)
        elif result.get("status") == "refused":
            verdict.refused.setdefault(str(result.get("reason") or "refused")[:1000], []).append(pk)
        else:
            by_record[None, pk, None] = pk  # an answer we do not understand: as if missing
    if by_record:  # answered in part: the rest is sent again, from the oldest, after the back-off
        verdict.failed = sorted(by_record.values())
        verdict.error = f"HTTP {status}: {len(verdict.failed)} records not answered"
    return verdict


def record(peer: Peer, rows, verdict: Verdict) -> None:
    """Write what the verdict says: each row's state, the batch in the send log, the peer's failures. Committed
    without waiting for the disk: a crash may lose an acknowledgement, and the record is then sent again, which
    the peer ignores (same version)."""
    ids = [row[0] for row in rows]
    now = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
        common = {"sent_at": now, "attempts": F("attempts") + 1, "last_error": ""}
        if verdict.acknowledged:
            Delivery.objects.filter(pk__in=verdict.acknowledged).update(
                state=DeliveryState.ACKNOWLEDGED, answered_at=now, reason="", **common
            )
        for reason, pks in verdict.refused.items():
            Delivery.objects.filter(pk__in=pks).update(
                state=DeliveryState.REFUSED, answered_at=now, reason=reason, **common
            )
        if verdict.sent:
            Delivery.objects.filter(pk__in=verdict.sent).update(state=DeliveryState.SENT, **common)
        if verdict.failed:
            Delivery.objects.filter(pk__in=verdict.failed).update(
                attempts=F("attempts") + 1, last_error=verdict.error[:2000]
            )
            failures = peer.failures + 1
            Peer.objects.filter(pk=peer.pk).update(
                failures=failures, next_attempt_at=now + backoff(failures), last_error=verdict.error[:2000]
            )
            peer.failures = failures
        elif peer.failures or peer.last_success_at is None or (now - peer.last_success_at).total_seconds() > 1:
            Peer.objects.filter(pk=peer.pk).update(failures=0, next_attempt_at=None, last_error="", last_success_at=now)
            peer.failures, peer.last_success_at = 0, now
        DeliveryAttempt.objects.create(
            peer=peer,
            records=len(ids),
            first_id=ids[0],
            last_id=ids[-1],
            http_status=verdict.status,
            acknowledged=len(verdict.acknowledged) + len(verdict.sent),
            refused=sum(len(pks) for pks in verdict.refused.values()),
            error=verdict.error[:2000],
            milliseconds=verdict.milliseconds,
        )
    if verdict.failed:
        logger.warning("Exchange to %s failed (%s records): %s", peer.code, len(verdict.failed), verdict.error[:200])


def send_batch(peer: Peer, sender: Sender, rows) -> bool:
    """POST one batch and record the answer; True when the peer took all of it (acknowledged, refused or sent)."""
    verdict = judge(rows, *post(peer, sender, rows))
    record(peer, rows, verdict)
    return verdict.ok


def _queued(peer: Peer, limit: int, after: int = 0):
    return list(
        Delivery.objects.filter(peer_id=peer.pk, state=DeliveryState.QUEUED, pk__gt=after)
        .order_by("id")
        .values_list("id", "kind", "key", "version", "record__body")[:limit]
    )


def deliver_peer(peer_id: int, *, force: bool = False, budget_seconds: float | None = None) -> dict:
    """Send *peer_id*'s queue until it is empty, the peer fails or the time budget is spent. ``force`` ignores the
    back-off (the admin's "deliver now"). Returns counts for the log.

    Pipelined, order kept: batch k+1 is read from the database while batch k is on its way, and POSTed only once
    k's answer says every record of k was taken; k's answer is written while k+1 is on its way."""
    budget = settings.EXCHANGE_DELIVERY_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    lease = timedelta(seconds=budget + 2 * settings.EXCHANGE_HTTP_TIMEOUT + 60)  # the longest a run can take
    now = timezone.now()
    claimed = (
        Peer.objects.filter(pk=peer_id)
        .filter(Q(delivering_until__isnull=True) | Q(delivering_until__lt=now))
        .update(delivering_until=now + lease)
    )
    if not claimed:
        return {"peer": peer_id, "skipped": "busy"}
    outcome = {"peer": peer_id, "batches": 0, "records": 0, "failed": False}
    sender = None
    try:
        peer = Peer.objects.filter(pk=peer_id, enabled=True).first()
        if peer is None:
            return {**outcome, "skipped": "disabled"}
        if not force and peer.next_attempt_at and peer.next_attempt_at > timezone.now():
            return {**outcome, "skipped": "backing off"}
        sender = Sender(peer.url)
        deadline = time.monotonic() + budget
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"exchange-{peer.code}") as pool:
            rows = _queued(peer, peer.batch_size)
            flight = pool.submit(post, peer, sender, rows) if rows else None
            while flight is not None:
                following = _queued(peer, peer.batch_size, after=rows[-1][0])  # while *rows* are on their way
                verdict = judge(rows, *flight.result())
                flight = None
                if verdict.ok and following and time.monotonic() < deadline:
                    flight = pool.submit(post, peer, sender, following)
                record(peer, rows, verdict)  # while *following* are on their way
                if not verdict.ok:
                    outcome["failed"] = True
                    break
                outcome["batches"] += 1
                outcome["records"] += len(rows)
                rows = following
    finally:
        if sender is not None:
            sender.close()
        Peer.objects.filter(pk=peer_id).update(delivering_until=None)
    return outcome


def deliver_all(*, force: bool = False) -> list[dict]:
    return [deliver_peer(pk, force=force) for pk in Peer.objects.filter(enabled=True).values_list("pk", flat=True)]
