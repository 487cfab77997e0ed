"""From an in-app notification to a message on a channel, in four steps, each safe to run twice.

1. ``fan_out(rows)`` — in the transaction that inserts the notifications: groups them into events (kind, text,
   link, dedupe key → recipients) and writes one outbox row, only when an active rule wants one of their kinds
   (one indexed query otherwise, and nothing written). Nothing here talks to the network or to Redis.
2. ``route(events)`` — the outbox handler: matches the rules, writes one ``Delivery`` per event × channel ×
   recipient (the unique ``dedupe_key`` makes a second routing add nothing) with its "queued" log entry, and queues
   the Celery tasks through the outbox (so a dead broker delays them, never loses them).
3. ``attempt(delivery_id, attempt)`` — the Celery task's body: locks the row (a second copy of the task skips it),
   holds it if quiet hours apply, else sends and records sent / failed with the reason / retrying with back-off.
   The ``attempt`` number carried by the task must be the next one, so a duplicate or late task does nothing.
4. ``release_due(now)`` — beat's sweeper: queues again what is due — a retry whose back-off has passed, a message
   held until the end of quiet hours, a task lost with the broker (its lease ran out).

A notification is therefore sent once per channel and recipient; only a worker killed between the receiver's
acceptance and our commit can send it a second time (the SMS request carries ``out_id`` for that case).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import outbox
from core.messaging import quiet, senders
from core.messaging.kinds import is_urgent
from core.messaging.models import (
    OPEN_STATUSES,
    Channel,
    ChannelKind,
    Delivery,
    DeliveryLog,
    Preference,
    Rule,
)
from core.messaging.models import DeliveryStatus as D

logger = logging.getLogger(__name__)
ROUTE = "core.messaging.services.route"
PUBLISH = "core.messaging.services.publish_sends"
SEND_TASK = "core.messaging.tasks.send_delivery"
EVENTS_PER_MESSAGE = 500


def _setting(name: str, default):
    return getattr(settings, name, default)


# ---- 1. fan out ----------------------------------------------------------------------------------------------------


def fan_out(rows: Iterable) -> int:
    """Queue the routing of these notification rows (``core.models.Notification``, saved or not) to the channels.

    Call it in the transaction that inserts them: the outbox row commits or rolls back with them. A row already
    notified before (its dedupe key) is routed again harmlessly: its deliveries exist and are not repeated."""
    events: dict[tuple[str, str, str, str], set[int]] = {}
    for row in rows:
        events.setdefault((row.kind, row.message, row.url, row.dedupe_key), set()).add(row.recipient_id)
    if not events:
        return 0
    kinds = {kind for kind, *_rest in events}
    if not Rule.objects.filter(is_active=True, kind__in=kinds, channel__is_active=True).exists():
        return 0
    payload = [
        {
            "kind": kind,
            "message": message,
            "url": url,
            # A notification without a dedupe key is one of a kind: a key of its own, fixed now, so a re-delivered
            # outbox row routes it to the same deliveries.
            "key": f"{kind}:{dedupe_key}" if dedupe_key else f"{kind}:once:{uuid.uuid4().hex}",
            "recipients": sorted(recipients),
        }
        for (kind, message, url, dedupe_key), recipients in events.items()
    ]
    chunks = [payload[i : i + EVENTS_PER_MESSAGE] for i in range(0, len(payload), EVENTS_PER_MESSAGE)]
    outbox.enqueue_many((ROUTE, {"events": chunk}) for chunk in chunks)
    return len(payload)


# ---- 2. route ------------------------------------------------------------------------------------------------------


def wants(user, rule: Rule) -> bool:
    """A user's own choice for a personal channel wins over the rule's default (opt-out, or opt-in)."""
    preference = _preference(user)
    choice = preference.choice(rule.channel.kind) if preference else ""
    if choice:
        return choice == "on"
    return not rule.opt_in


def _preference(user) -> Preference | None:
    try:
        return user.messaging
    except Preference.DoesNotExist:
        return None


def address_of(user, channel: Channel) -> str:
    return (user.phone if channel.kind == ChannelKind.SMS else user.email or "").strip()


def _targets(rule: Rule, concerned: list, users: dict) -> list:
    """Who a rule reaches for one event: personal channels → users; robots → [None] (the group) or []."""
    if rule.channel.is_personal:
        if rule.user_id:
            user = users.get(rule.user_id)
            return [user] if user is not None else []
        return [u for u in concerned if not rule.role or u.role == rule.role]
    if rule.role and not any(u.role == rule.role for u in concerned):
        return []
    if rule.user_id and all(u.pk != rule.user_id for u in concerned):
        return []
    return [None]


def plan(events: list[dict], now: datetime) -> list[Delivery]:
    """The deliveries these events call for, by the active rules (unsaved, one per event × channel × recipient)."""
    from core.models import User

    kinds = {event["kind"] for event in events}
    rules = list(
        Rule.objects.filter(is_active=True, kind__in=kinds, channel__is_active=True)
        .select_related("channel")
        .order_by("id")
    )
    if not rules:
        return []
    ids = {pk for event in events for pk in event["recipients"]} | {r.user_id for r in rules if r.user_id}
    users = {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True).select_related("messaging")}
    lease = now + timedelta(seconds=_setting("MESSAGING_LEASE_SECONDS", 300))
    planned: dict[str, Delivery] = {}
    for event in events:
        recipients = [users[pk] for pk in event["recipients"] if pk in users]
        for rule in (r for r in rules if r.kind == event["kind"]):
            concerned = [u for u in recipients if rule.department_id in (None, u.department_id)]
            if rule.department_id and not concerned:
                continue
            for user in _targets(rule, concerned, users):
                if user is not None and not wants(user, rule):
                    continue
                key = f"{event['key']}:{rule.channel_id}:{user.pk if user else 'group'}"
                if key in planned:
                    continue  # two rules, one channel and person: one message
                address = address_of(user, rule.channel) if user is not None else ""
                planned[key] = Delivery(
                    dedupe_key=key,
                    event_key=event["key"][:140],
                    kind=event["kind"],
                    message=event["message"][:300],
                    url=event["url"][:200],
                    channel=rule.channel,
                    rule=rule,
                    recipient=user,
                    address=address,
                    urgent=is_urgent(event["kind"]),
                    status=D.QUEUED if address or user is None else D.FAILED,
                    last_error="" if address or user is None else _no_address(rule.channel),
                    next_attempt_at=lease,
                    created_at=now,
                )
    return list(planned.values())


def _no_address(channel: Channel) -> str:
    return "recipient has no mobile number" if channel.kind == ChannelKind.SMS else "recipient has no e-mail address"


def route(events: list[dict]) -> int:
    """Outbox handler: write the deliveries of these events that do not exist yet, log them, queue their sends.
    Runs in the outbox's transaction, so all of it happens once. Returns how many deliveries were created."""
    now = timezone.now()
    planned = plan(events, now)
    if not planned:
        return 0
    existing = set(
        Delivery.objects.filter(dedupe_key__in=[d.dedupe_key for d in planned]).values_list("dedupe_key", flat=True)
    )
    new = Delivery.objects.bulk_create([d for d in planned if d.dedupe_key not in existing], batch_size=1000)
    DeliveryLog.objects.bulk_create(
        [DeliveryLog(delivery=d, at=now, status=d.status, detail=d.last_error) for d in new], batch_size=1000
    )
    sends = [[d.pk, 1] for d in new if d.status == D.QUEUED]
    if sends:
        outbox.enqueue(PUBLISH, sends=sends)
    return len(new)


def publish_sends(sends: list[list[int]]) -> None:
    """Outbox handler: one Celery task per delivery. Raises while the broker is down (the outbox retries); a task
    published twice runs once (the attempt number)."""
    from citymgmt.celery import app

    for delivery_id, attempt_no in sends:
        app.send_task(SEND_TASK, kwargs={"delivery_id": delivery_id, "attempt": attempt_no}, ignore_result=True)


# ---- 3. attempt ----------------------------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … at most MESSAGING_MAX_BACKOFF_SECONDS."""
    first = _setting("MESSAGING_FIRST_BACKOFF_SECONDS", 30)
    return timedelta(seconds=min(_setting("MESSAGING_MAX_BACKOFF_SECONDS", 3600), first * 2 ** max(attempts - 1, 0)))


def quiet_windows(delivery: Delivery) -> list[quiet.Window]:
    windows = []
    if delivery.rule is not None:
        windows.append((delivery.rule.quiet_start, delivery.rule.quiet_end))
    if delivery.recipient is not None and delivery.channel.is_personal:
        preference = _preference(delivery.recipient)
        if preference is not None:
            windows.append((preference.quiet_start, preference.quiet_end))
    return windows


def _log(delivery: Delivery, status: str, now: datetime, detail: str = "") -> None:
    DeliveryLog.objects.create(delivery=delivery, at=now, status=status, attempt=delivery.attempts, detail=detail[:500])


def attempt(delivery_id: int, attempt_no: int, now: datetime | None = None) -> str:
    """Send one delivery if it is still open and *attempt_no* is its next attempt; returns its status afterwards
    (or "skipped"). The row stays locked while the receiver answers: no other worker can send it meanwhile."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))  # one query for all it needs
            .select_related("channel", "rule", "recipient__messaging")
            .filter(pk=delivery_id, status__in=[D.QUEUED, D.RETRYING])
            .first()
        )
        if delivery is None or delivery.attempts + 1 != attempt_no:
            return "skipped"  # sent, failed, held, being sent, or a stale copy of the task
        if not delivery.urgent:
            until = quiet.held_until(now, quiet_windows(delivery))
            if until is not None:
                delivery.status, delivery.next_attempt_at = D.HELD, until
                delivery.save(update_fields=["status", "next_attempt_at"])
                _log(delivery, D.HELD, now, f"until {timezone.localtime(until):%Y-%m-%d %H:%M}")
                return D.HELD
        delivery.attempts += 1
        fields = ["attempts", "status", "last_error", "next_attempt_at", "sent_at"]
        if not delivery.channel.is_active:
            delivery.status, delivery.last_error = D.FAILED, "channel is switched off"
            delivery.save(update_fields=fields)
            _log(delivery, D.FAILED, now, delivery.last_error)
            return D.FAILED
        try:
            detail = senders.send(delivery.channel, delivery)
        except senders.Refused as error:
            delivery.status, delivery.last_error = D.FAILED, _shown(error.reason, delivery)
            detail = f"refused: {delivery.last_error}"
        except Exception as error:  # Unavailable, or anything unforeseen: retried, never lost
            reason = error.reason if isinstance(error, senders.Unavailable) else f"{type(error).__name__}: {error}"
            reason = _shown(reason, delivery)
            delivery.last_error = reason[:480]
            if delivery.attempts >= _setting("MESSAGING_MAX_ATTEMPTS", 8):
                delivery.status, detail = D.FAILED, f"gave up after {delivery.attempts} attempts: {reason}"
            else:
                delivery.status = D.RETRYING
                delivery.next_attempt_at = now + backoff(delivery.attempts)
                detail = f"{reason}; next attempt {timezone.localtime(delivery.next_attempt_at):%H:%M:%S}"
        else:
            delivery.status, delivery.sent_at, delivery.last_error = D.SENT, now, ""
        delivery.save(update_fields=fields)
        _log(delivery, delivery.status, now, detail)
        if delivery.status == D.FAILED:
            logger.warning("Delivery %s on channel %s failed: %s", delivery.pk, delivery.channel_id, detail)
        return delivery.status


def _shown(reason: str, delivery: Delivery) -> str:
    """A receiver's reason as the log keeps it: no secret, no whole phone number or mailbox."""
    reason = senders.redact(reason, delivery.channel.token, delivery.channel.secret)
    if delivery.address:
        reason = reason.replace(delivery.address, mask_address(delivery.address))
    return reason[:480]


# ---- 4. release what is due ---------------------------------------------------------------------------------------


def release_due(now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Queue again the open deliveries whose time has come (retries, the end of quiet hours, lost tasks); returns
    their ids. Each is leased for MESSAGING_LEASE_SECONDS so the next sweep does not queue it a second time."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status__in=OPEN_STATUSES, next_attempt_at__lte=now)
            .order_by("next_attempt_at")[:limit]
        )
        if not due:
            return []
        lease = now + timedelta(seconds=_setting("MESSAGING_LEASE_SECONDS", 300))
        for delivery in due:
            if delivery.status == D.HELD:
                delivery.status = D.QUEUED
                _log(delivery, D.QUEUED, now, "quiet hours over")
            delivery.next_attempt_at = lease
        Delivery.objects.bulk_update(due, ["status", "next_attempt_at"])
        outbox.enqueue(PUBLISH, sends=[[d.pk, d.attempts + 1] for d in due])
    return [d.pk for d in due]


# ---- a test message from the admin ---------------------------------------------------------------------------------


def send_test(channel: Channel, user) -> Delivery:
    """Queue a test message on *channel* — to the administrator's own number or mailbox on a personal channel —
    along the normal path (a delivery, its log, a Celery task through the outbox); the delivery log shows the result."""
    from django.utils import translation
    from django.utils.translation import gettext

    from core.messaging.kinds import CHANNEL_TEST

    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext("Test message from the command centre, sent by %(user)s.") % {"user": user.get_username()}
    recipient = user if channel.is_personal else None
    address = address_of(user, channel) if recipient else ""
    with transaction.atomic():
        delivery = Delivery.objects.create(
            dedupe_key=f"{CHANNEL_TEST}:{uuid.uuid4().hex}",
            event_key=f"{CHANNEL_TEST}:{channel.pk}",
            kind=CHANNEL_TEST,
            message=text,
            channel=channel,
            recipient=recipient,
            address=address,
            urgent=True,
            status=D.QUEUED if address or not recipient else D.FAILED,
            last_error=_no_address(channel) if recipient and not address else "",
            next_attempt_at=now + timedelta(seconds=_setting("MESSAGING_LEASE_SECONDS", 300)),
            created_at=now,
        )
        DeliveryLog.objects.create(delivery=delivery, at=now, status=delivery.status, detail=delivery.last_error)
        if delivery.status == D.QUEUED:
            outbox.enqueue(PUBLISH, sends=[[delivery.pk, 1]])
    return delivery


# ---- shown to people -----------------------------------------------------------------------------------------------


def mask_address(address: str) -> str:
    """138****8000, z***@example.com: the log lists never show a whole number or mailbox."""
    address = (address or "").strip()
    if "@" in address:
        name, _at, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    if len(address) >= 7:
        return f"{address[:3]}****{address[-4:]}"
    return "*" * len(address)
