"""In-app notifications about cases (站内消息)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from core.choices import Role
from core.models import Notification, User


def notify(users: Iterable[User], kind: str, message: str, url: str = "", dedupe_key: str = "") -> int:
    """Notify each user once (a repeated dedupe key is skipped); returns how many were created."""
    created = 0
    for user in users:
        try:
            with transaction.atomic():
                Notification.objects.create(
                    recipient=user, kind=kind, message=message[:300], url=url, dedupe_key=dedupe_key
                )
                created += 1
        except IntegrityError:
            continue
    return created


def dispatchers() -> list[User]:
    return list(User.objects.filter(role=Role.DISPATCHER, is_active=True))


def department_handlers(department_id: int | None) -> list[User]:
    if department_id is None:
        return []
    return list(User.objects.filter(role=Role.HANDLER, department_id=department_id, is_active=True))


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
