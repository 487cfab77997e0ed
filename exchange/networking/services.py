"""Queueing records for the peers, the hooks that do it in the changing transaction, inbound items, resync.

``queue(kind, records)`` writes, in the caller's transaction, one ``Delivery`` row per peer for each record whose
payload changed since it was last queued, under a new version (``ExchangeRecord``: one upsert for the batch). The
hooks: a listener on ``cases.timeline.after_transition`` (it runs in the transaction that marks the transition's
outbox announcement delivered), and ``post_save`` of hotline work orders and bulletins (in the very transaction of
the change). Running a hook twice queues nothing twice: the payload is the same, so the version does not move.

Inbound: ``receive_item(peer, data)`` stores a 督办 or an evaluation task (unique per peer and item id); a 督办
naming a case becomes an ``urge`` through ``cases.services.transitions.perform`` as the peer's system account, with
the peer named in the event, and its answer (the case's progress, then its closure) is queued back to that peer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.sanitize import bad_text_message
from exchange.networking import records
from exchange.networking.models import (
    Delivery,
    DeliveryState,
    HeldRecord,
    InboundItem,
    InboundKind,
    Peer,
    RecordKind,
    RecordVersion,
)

logger = logging.getLogger(__name__)


def platform_code() -> str:
    return settings.EXCHANGE_PLATFORM_CODE


# ---- Peers (cached a few seconds per process; a save in this process forgets them at once) -------------------------

_peers: tuple[float, list[Peer]] | None = None
_peers_lock = threading.Lock()


def clear_peer_cache(**_kwargs) -> None:
    global _peers
    with _peers_lock:
        _peers = None


def enabled_peers() -> list[Peer]:
    global _peers
    cached = _peers
    if cached is None or cached[0] < time.monotonic():
        peers = list(Peer.objects.filter(enabled=True).order_by("pk"))
        with _peers_lock:
            _peers = cached = (time.monotonic() + 5, peers)
    return cached[1]


# ---- Queueing ------------------------------------------------------------------------------------------------------


def text(payload: dict) -> str:
    """The record as sent: compact JSON with sorted keys, so the same state is the same text (and digest)."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)


_UPSERT = """
INSERT INTO exchange_exchangerecord (kind, key, version, digest, updated_at)
SELECT %s, u.key, 1, u.digest, now() FROM unnest(%s::text[], %s::text[]) AS u(key, digest)
ON CONFLICT (kind, key) DO UPDATE
    SET version = exchange_exchangerecord.version + 1, digest = EXCLUDED.digest, updated_at = now()
    WHERE exchange_exchangerecord.digest <> EXCLUDED.digest
RETURNING key, version
"""


def queue(kind: str, items: Iterable[tuple[str, dict]], *, peers: list[Peer] | None = None, resync: Peer | None = None):
    """Queue each changed record (key, payload) of *kind* for *peers* (default: every enabled peer receiving
    *kind*), in the current transaction. With *resync*, that peer also gets the current version of the unchanged
    ones. Returns the number of Delivery rows written."""
    targets = [p for p in enabled_peers() if p.receives(kind)] if peers is None else [p for p in peers if p.enabled]
    if resync is not None and resync.pk not in {p.pk for p in targets}:
        targets = [*targets, resync]
    if not targets:
        return 0
    payloads = dict(items)  # one row per key; the last payload wins
    if not payloads:
        return 0
    keys = sorted(payloads)  # always lock in the same order
    bodies = {key: text(payloads[key]) for key in keys}
    hashes = [hashlib.sha256(bodies[key].encode()).hexdigest() for key in keys]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_UPSERT, [kind, keys, hashes])
        changed = dict(cursor.fetchall())
        versions = RecordVersion.objects.bulk_create(
            [
                RecordVersion(kind=kind, key=key, version=changed[key], body=bodies[key])
                for key in keys
                if key in changed
            ],
            batch_size=1000,
        )
        rows = [
            Delivery(peer=peer, kind=kind, key=version.key, version=version.version, record=version)
            for version in versions
            for peer in targets
        ]
        if resync is not None:
            unchanged = [key for key in keys if key not in changed]
            current = (
                RecordVersion.objects.filter(kind=kind, key__in=unchanged)
                .order_by("key", "-version")
                .distinct("key")
                .only("pk", "key", "version")
            )
            rows += [
                Delivery(peer=resync, kind=kind, key=version.key, version=version.version, record=version)
                for version in current
            ]
        Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def hold(kind: str, key: str, why: records.Held) -> None:
    HeldRecord.objects.update_or_create(
        kind=kind,
        key=key,
        defaults={"class_code": why.code, "class_name": why.name, "standard": why.standard, "reason": why.reason},
    )


# ---- Hooks ---------------------------------------------------------------------------------------------------------


def queue_cases(case_ids: list[int], *, resync: Peer | None = None) -> tuple[int, int]:
    """Queue the current record of these cases (and the answers to 督办 items on them); cases without a national
    class code are held back. Returns (records queued, records held)."""
    cases = list(records.cases_for_records(case_ids))
    events = records.events_by_case(case_ids)
    ready, held, released = [], 0, []
    for case in cases:
        try:
            ready.append(records.case_record(case, events.get(case.pk, [])))
            released.append(case.case_no)
        except records.Held as why:
            hold(RecordKind.CASE, records.case_key(case), why)
            held += 1
    if released and HeldRecord.objects.filter(kind=RecordKind.CASE).exists():
        HeldRecord.objects.filter(kind=RecordKind.CASE, key__in=released).delete()
    written = queue(RecordKind.CASE, ready, resync=resync)
    items = InboundItem.objects.filter(case_id__in=case_ids, kind=InboundKind.SUPERVISION).select_related(
        "peer", "case_event"
    )
    by_id = {case.pk: case for case in cases}
    for item in items:
        if resync is None or item.peer_id == resync.pk:
            queue_reply(item, by_id[item.case_id])
    return written, held


def queue_reply(item: InboundItem, case) -> int:
    key, payload = records.supervision_reply(item, case)
    return queue(RecordKind.SUPERVISION_REPLY, [(f"{item.peer.code}:{key}", payload)], peers=[item.peer])


def on_case_transition(case_id: int, event_id: int) -> None:
    """Listener of ``cases.timeline.after_transition``: the case's new state goes up (idempotent, see queue)."""
    if not enabled_peers():
        return
    queue_cases([case_id])


def on_order_saved(sender, instance, raw=False, **_kwargs) -> None:
    """``post_save`` of hotline work orders: in the transaction of the change."""
    if raw or not any(p.receives(RecordKind.HOTLINE_ORDER) for p in enabled_peers()):
        return
    queue(RecordKind.HOTLINE_ORDER, [records.order_record(instance)])


def on_bulletin_saved(sender, instance, raw=False, **_kwargs) -> None:
    """``post_save`` of monthly bulletins: a published one's figures go up (frozen, so once)."""
    if raw or not instance.is_published or not any(p.receives(RecordKind.EVALUATION) for p in enabled_peers()):
        return
    queue(RecordKind.EVALUATION, [records.evaluation_record(instance)])


def queue_base_data(*, resync: Peer | None = None) -> int:
    """Regions, unit grids and component counts: only what changed since last time gets a new version."""
    written = queue(RecordKind.REGION, list(records.region_records()), resync=resync)
    written += queue(RecordKind.GRID, list(records.grid_records()), resync=resync)
    counts, held = records.component_counts(platform_code())
    for why in held:
        hold(RecordKind.COMPONENT_COUNTS, f"{why.standard}:{why.code}", why)
    written += queue(RecordKind.COMPONENT_COUNTS, [counts], resync=resync)
    return written


def release_held(held_ids: list[int]) -> tuple[int, int]:
    """Try held records again (after a mapping was added); returns (released, still held)."""
    rows = list(HeldRecord.objects.filter(pk__in=held_ids))
    case_nos = [row.key for row in rows if row.kind == RecordKind.CASE]
    from cases.models import Case

    with transaction.atomic():
        ids = list(Case.objects.filter(key__case_no__in=case_nos).values_list("pk", flat=True))
        _written, still = queue_cases(ids)
        if any(row.kind == RecordKind.COMPONENT_COUNTS for row in rows):
            HeldRecord.objects.filter(kind=RecordKind.COMPONENT_COUNTS).delete()
            queue_base_data()
            still += HeldRecord.objects.filter(kind=RecordKind.COMPONENT_COUNTS).count()
    return len(rows) - still, still


# ---- Resync and resend ---------------------------------------------------------------------------------------------


def resync(peer: Peer, *, chunk: int = 500, stdout=None) -> dict[str, int]:
    """Queue the current version of everything *peer* receives (a new peer, or one that lost its data). Records
    it already has in that version are not queued again (the peer's unique index); use ``resend`` for those."""
    from cases.models import Case
    from evaluation.models import Bulletin
    from hotlines.models import WorkOrder

    counts = {}
    with transaction.atomic():
        if peer.receives(RecordKind.REGION):
            counts["base"] = queue_base_data(resync=peer)
    if peer.receives(RecordKind.CASE) or InboundItem.objects.filter(peer=peer).exists():
        ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
        counts["cases"] = counts["held"] = 0
        for start in range(0, len(ids), chunk):
            with transaction.atomic():
                written, held = queue_cases(ids[start : start + chunk], resync=peer)
            counts["cases"] += written
            counts["held"] += held
            if stdout is not None:
                stdout.write(f"cases {min(start + chunk, len(ids))}/{len(ids)}")
    if peer.receives(RecordKind.HOTLINE_ORDER):
        orders = WorkOrder.objects.select_related("hotline", "department", "case").order_by("pk")
        counts["hotline"] = 0
        batch = []
        for order in orders.iterator(chunk_size=chunk):
            batch.append(records.order_record(order))
            if len(batch) >= chunk:
                counts["hotline"] += queue(RecordKind.HOTLINE_ORDER, batch, resync=peer)
                batch = []
        counts["hotline"] += queue(RecordKind.HOTLINE_ORDER, batch, resync=peer)
    if peer.receives(RecordKind.EVALUATION):
        published = Bulletin.objects.filter(status="published").order_by("period_start")
        counts["evaluation"] = queue(
            RecordKind.EVALUATION, [records.evaluation_record(b) for b in published], resync=peer
        )
    return counts


def resend(delivery_ids: list[int]) -> int:
    """Put these deliveries back in their peer's queue as they were (same version: harmless for the peer)."""
    return Delivery.objects.filter(pk__in=delivery_ids).update(state=DeliveryState.QUEUED, last_error="")


# ---- Inbound items from the upper levels ---------------------------------------------------------------------------


def _text(data: dict, name: str, limit: int, *, required: bool = False) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({name: _("Must be text.")})
    value = value.strip()
    if required and not value:
        raise ValidationError({name: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({name: _("At most %(limit)d characters.") % {"limit": limit}})
    problem = bad_text_message(value)
    if problem:
        raise ValidationError({name: problem})
    return value


def _deadline(data: dict):
    value = data.get("deadline")
    if value in (None, ""):
        return None
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None or moment.tzinfo is None or not 2000 <= moment.year <= 2100:
        raise ValidationError({"deadline": _("An ISO 8601 time with its zone, e.g. 2026-12-03T18:00:00+08:00.")})
    return moment


def _clean(data) -> dict:
    if not isinstance(data, dict):
        raise ValidationError({"body": _("A JSON object is required.")})
    kind = data.get("type")
    if kind not in InboundKind.values:
        raise ValidationError({"type": _("One of: %(kinds)s.") % {"kinds": ", ".join(InboundKind.values)}})
    item_id = _text(data, "id", 80, required=True)
    clean = {
        "kind": kind,
        "item_id": item_id,
        "title": _text(data, "title", 200),
        "content": _text(data, "content", 4000, required=kind == InboundKind.SUPERVISION),
        "deadline": _deadline(data),
        "case_no": _text(data, "case_no", 20),
        "period": _text(data, "period", 7, required=kind == InboundKind.EVALUATION_TASK),
    }
    period = clean["period"]
    if period and not (len(period) == 7 and period[4] == "-" and period.replace("-", "").isdigit()):
        raise ValidationError({"period": _("A month as YYYY-MM.")})
    if period and not 1 <= int(period[5:]) <= 12:
        raise ValidationError({"period": _("A month as YYYY-MM.")})
    return clean


def peer_actor(peer: Peer):
    """The system account a peer's 督办 acts as: a supervisor that cannot log in, named after the peer."""
    from core.choices import Role
    from core.models import User

    if peer.actor_id:
        return peer.actor
    user = User.objects.filter(username=f"platform-{peer.code}").first()
    if user is None:
        user = User(username=f"platform-{peer.code}", first_name=peer.name[:150], role=Role.SUPERVISOR)
        user.set_unusable_password()
        user.save()
    Peer.objects.filter(pk=peer.pk).update(actor=user)
    peer.actor = user
    return user


def receive_item(peer: Peer, data) -> tuple[InboundItem, bool]:
    """Store an item posted by *peer*; a 督办 naming a case urges it. Returns (item, created). Raises
    ValidationError naming the field; nothing is written then."""
    from cases.exceptions import ActionNotAllowed
    from cases.models import Case, CaseEvent
    from cases.services.transitions import perform

    clean = _clean(data)
    existing = InboundItem.objects.filter(peer=peer, item_id=clean["item_id"]).first()
    if existing is not None:
        return existing, False
    case = None
    if clean["case_no"]:
        case = Case.objects.filter(key__case_no=clean["case_no"]).first()
        if case is None:
            raise ValidationError({"case_no": _("No case with this number.")})
    try:
        with transaction.atomic():
            item = InboundItem.objects.create(
                peer=peer,
                item_id=clean["item_id"],
                kind=clean["kind"],
                title=clean["title"],
                content=clean["content"],
                deadline=clean["deadline"],
                period=clean["period"],
                case=case,
                payload=data,
            )
            if case is not None and item.kind == InboundKind.SUPERVISION:
                opinion = f"【{peer.name}督办 {item.item_id}】{item.title + '：' if item.title else ''}{item.content}"
                try:
                    case = perform(
                        case.pk, "urge", peer_actor(peer), opinion=opinion[:4000], source=f"peer:{peer.code}"
                    )
                except ActionNotAllowed:  # closed or otherwise ended: the answer says so
                    case.refresh_from_db()
                else:
                    item.case_event = CaseEvent.objects.filter(case=case, action="urge").order_by("-id").first()
                    item.save(update_fields=["case_event"])
                queue_reply(item, case)
    except IntegrityError:  # the same item posted twice at once: the other one made it
        return InboundItem.objects.get(peer=peer, item_id=clean["item_id"]), False
    return item, True
