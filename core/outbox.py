"""The transactional outbox: side effects that survive a dead broker, a crashed process and a failing handler.

Inside the transaction that makes a change, call ``enqueue("app.module.handler", key=value, …)``: one row in
PostgreSQL, committed (or rolled back) with the change. After the commit the same process delivers it at once, so
behaviour stays immediate; beat's ``core.tasks.relay_outbox`` (every ``OUTBOX_RELAY_SECONDS``) delivers whatever is
still pending. Delivery locks the row (``SELECT … FOR UPDATE SKIP LOCKED``), runs the handler and marks the row
delivered in one transaction: a handler's database writes happen exactly once; a failing handler rolls back to a
savepoint, and the row is retried with an exponential back-off (at most ``OUTBOX_MAX_BACKOFF_SECONDS``) keeping
its last error, visible in the admin ("Outbox messages").

Handlers are named by dotted path (core imports no app of ours) and take keyword arguments that JSON can carry
(ids, strings, numbers). Work for a Celery worker goes through ``enqueue_task``: the publishing is what the outbox
retries, so a broker that is down delays the task instead of losing it. A broker publish cannot join our
transaction, so such a task may (rarely) be queued twice: tasks are idempotent (README: Security and operations).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import OutboxMessage

logger = logging.getLogger(__name__)
Message = tuple[str, dict]


def enqueue(handler: str, **kwargs) -> OutboxMessage:
    """Write one side effect to the outbox in the current transaction; it is delivered after the commit."""
    return enqueue_many([(handler, kwargs)])[0]


def enqueue_many(messages: Iterable[Message]) -> list[OutboxMessage]:
    """Several side effects in one INSERT, delivered in this order after the commit."""
    rows = []
    for handler, kwargs in messages:
        import_string(handler)  # a misspelt handler fails the change now, not a relay at night
        rows.append(OutboxMessage(handler=handler, payload=kwargs))
    if not rows:
        return []
    OutboxMessage.objects.bulk_create(rows)
    transaction.on_commit(partial(deliver_all, [row.pk for row in rows]), robust=True)
    return rows


def enqueue_task(task_name: str, **kwargs) -> OutboxMessage:
    """Queue the Celery task *task_name* with these keyword arguments once the transaction commits."""
    return enqueue("core.outbox.publish_task", task=task_name, kwargs=kwargs)


def publish_task(task: str, kwargs: dict) -> None:
    """The handler behind ``enqueue_task``: raises while the broker is unreachable, so the relay tries again."""
    from citymgmt.celery import app

    # No result subscription: with Redis down it would retry for twenty seconds before failing.
    app.send_task(task, kwargs=kwargs, ignore_result=True)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(settings.OUTBOX_MAX_BACKOFF_SECONDS, 5 * 2 ** max(attempts - 1, 0)))


def deliver(message_id: int) -> bool:
    """Deliver one pending message unless another process holds it; True when its handler ran and succeeded."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, delivered_at__isnull=True)
            .first()
        )
        if message is None:  # delivered already, or being delivered right now by someone else
            return False
        message.attempts += 1
        try:
            with transaction.atomic():  # a failing handler leaves no half-written side effect
                import_string(message.handler)(**message.payload)
        except Exception:
            message.last_error = traceback.format_exc()[-4000:]
            message.due_at = timezone.now() + backoff(message.attempts)
            message.save(update_fields=["attempts", "last_error", "due_at"])
            logger.warning("Outbox message %s (%s) failed, attempt %s", message.pk, message.handler, message.attempts)
            return False
        message.delivered_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "last_error", "delivered_at"])
        return True


def deliver_all(message_ids: list[int]) -> int:
    delivered = 0
    for message_id in message_ids:
        try:
            delivered += deliver(message_id)
        except Exception:  # the database itself failed: the relay will find the row pending
            logger.exception("Outbox delivery of %s failed; the relay will retry it", message_id)
    return delivered


def pending():
    return OutboxMessage.objects.filter(delivered_at__isnull=True)


def relay(limit: int = 1000) -> int:
    """Deliver pending messages whose time has come, oldest first; returns how many were delivered."""
    ids = list(pending().filter(due_at__lte=timezone.now()).order_by("id").values_list("pk", flat=True)[:limit])
    return deliver_all(ids)


def purge(days: int | None = None) -> int:
    """Delete delivered messages older than *days* (``OUTBOX_KEEP_DAYS``); pending ones are never deleted."""
    keep = settings.OUTBOX_KEEP_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=keep)
    deleted, _ = OutboxMessage.objects.filter(delivered_at__lt=cutoff).delete()
    return deleted
