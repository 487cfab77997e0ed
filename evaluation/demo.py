"""The evaluation layer's part of the demo city: rollups built from the seeded case history, and a monthly bulletin
for every full month of it — all published except the latest, which stays a draft for the supervisor to publish.

``seed_city`` calls ``seed_evaluation(seed, scale)`` last, after the case history and the hotline orders exist
(a published bulletin freezes the hotline figures of its month too). Idempotent: a second run
rebuilds the rollups (cheap) and adds no bulletin that exists.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Max, Min
from django.utils import timezone

from evaluation.bulletins.services import PUBLISH_PERMISSION, create_bulletin, month_bounds, publish
from evaluation.hotspots.aggregation import rebuild as rebuild_hotspots
from evaluation.models import Bulletin, BulletinStatus
from evaluation.rollups import rebuild


def _publisher():
    """Someone who may publish bulletins (by permission; a superuser when no role holds it)."""
    from core.models import User

    holder = User.objects.with_perm(PUBLISH_PERMISSION, include_superusers=False).filter(is_active=True)
    return holder.order_by("pk").first() or User.objects.filter(is_superuser=True, is_active=True).first()


def seed_evaluation(seed: int = 1, scale: float = 1.0, today: date | None = None) -> dict:
    """Rebuild the rollups from the cases, then create (and publish) the bulletins of every full month before
    *today* (default: the local date)."""
    from cases.models import Case

    del seed, scale  # the figures follow from the seeded cases themselves
    rebuild()
    rebuild_hotspots()
    span = Case.objects.aggregate(first=Min("received_at"), last=Max("received_at"))
    if span["first"] is None:
        return {"bulletins": 0, "published": 0}
    first = timezone.localdate(span["first"])
    today = today or timezone.localdate()
    year, month = (first.year, first.month) if first.day == 1 else _next(first.year, first.month)
    months = []
    while date(year, month, 1) < today.replace(day=1):
        months.append((year, month))
        year, month = _next(year, month)
    created = published = 0
    bulletins = []
    for year, month in months:
        bulletin, made = create_bulletin(year, month)
        created += made
        bulletins.append(bulletin)
    publisher = _publisher()
    if publisher is not None:
        for bulletin in bulletins[:-1]:
            if Bulletin.objects.filter(pk=bulletin.pk, status=BulletinStatus.DRAFT).exists():
                publish(bulletin.pk, publisher)
                published += 1
    return {"bulletins": created, "published": published, "months": [month_bounds(*m)[0] for m in months]}


def _next(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)
