"""Celery tasks of the networking: beat delivers every peer's queue every ``EXCHANGE_RELAY_SECONDS`` and queues
changed base data nightly. Both are safe to run twice (an advisory lock per peer; versions by payload digest)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone


@shared_task(name="exchange.networking.tasks.deliver", ignore_result=True)
def deliver(peer_id: int | None = None) -> list[dict]:
    """Send what is queued for every enabled peer (or one), each within its back-off."""
    from exchange.networking.delivery import deliver_all, deliver_peer

    return [deliver_peer(peer_id)] if peer_id is not None else deliver_all()


@shared_task(name="exchange.networking.tasks.queue_base_data", ignore_result=True)
def queue_base_data() -> int:
    """Regions, grids and component counts: a new version of whatever changed since yesterday."""
    from django.db import transaction

    from exchange.networking.services import queue_base_data as queue

    with transaction.atomic():
        return queue()


@shared_task(name="exchange.networking.tasks.purge_nonces", ignore_result=True)
def purge_nonces() -> int:
    """Forget inbound nonces older than twice the signature window (a replay that old fails on its timestamp)."""
    from exchange.networking.models import SeenNonce

    cutoff = timezone.now() - timedelta(seconds=2 * settings.EXCHANGE_SIGNATURE_WINDOW_SECONDS)
    return SeenNonce.objects.filter(at__lt=cutoff).delete()[0]


@shared_task(
    name="exchange.networking.tasks.resync",
    ignore_result=True,
    time_limit=settings.IMPORT_JOB_TIME_LIMIT,
    soft_time_limit=settings.IMPORT_JOB_TIME_LIMIT - 60,
)
def resync(peer_id: int) -> dict:
    """The admin's "full resync" of one peer (the command ``exchange_resync`` does the same in a terminal). Long on a
    big city (every case is rebuilt), hence the import jobs' time limit; run twice, it queues nothing twice."""
    from exchange.networking.models import Peer
    from exchange.networking.services import resync as run

    return run(Peer.objects.get(pk=peer_id))
