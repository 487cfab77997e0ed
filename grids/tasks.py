"""Celery tasks of the grids layer: the patrol presence check and the track table's partitions."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from grids.patrol import alerts, partitions


@shared_task
def check_presence() -> dict:
    """Every minute: open and close presence alerts (idempotent: an open episode is not alerted twice)."""
    return alerts.check_presence()


@shared_task
def create_track_partitions(days: int = 7) -> int:
    """Every night: today's and the next week's track partitions (idempotent)."""
    return partitions.ensure_ahead(timezone.localdate(), days)
