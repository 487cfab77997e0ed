"""In-app notifications about cases (站内消息): who hears of what, written once per recipient and dedupe key.

Messages are rendered in the site's language when they are created (a Celery worker has no request language), and
stored as text, so a notification reads the same however often it is shown.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation

from core import messaging
from core.choices import Role
from core.models import Notification, User


def case_url(case_id: int) -> str:
    """The console page of a case (the link a notification opens)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("cases:detail", args=[case_id])
    except NoReverseMatch:  # the console is not mounted (e.g. an API-only deployment)
        return ""


def build(users: Iterable[User | int], kind: str, message: str, url: str = "", dedupe_key: str = "") -> list:
    """Unsaved notifications, one per distinct user (for callers that insert many at once)."""
    return [
        Notification(recipient_id=recipient, kind=kind, message=str(message)[:300], url=url, dedupe_key=dedupe_key)
        for recipient in sorted({getattr(u, "pk", u) for u in users})
    ]


def save_all(rows: list) -> None:
    """Insert in one statement per thousand; a (recipient, dedupe key) already notified is skipped (ON CONFLICT DO
    NOTHING), which is what makes re-running a task harmless."""
    with transaction.atomic(savepoint=False):  # the channels' outbox row (core.messaging) commits with them
        Notification.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        messaging.fan_out(rows)


def notify(users: Iterable[User | int], kind: str, message: str, url: str = "", dedupe_key: str = "") -> int:
    """Notify each user once; a user who already has a notification with this dedupe key is skipped."""
    rows = build(users, kind, message, url, dedupe_key)
    save_all(rows)
    return len(rows)


def deliver(
    kind: str, message: str, url: str = "", dedupe_key: str = "", department: int | None = None, permission: str = ""
) -> int:
    """Outbox handler (core/outbox.py): notify the handlers of *department* and/or the active holders of
    *permission* (``app_label.codename``), resolved when delivered; the dedupe key makes a re-run harmless."""
    users: list = department_handlers(department) if department is not None else []
    if permission:
        users += permission_holders(permission)
    return notify(users, kind, message, url, dedupe_key)


def permission_holders(permission: str) -> list[User]:
    """Active users whose role (group) carries *permission*."""
    from django.db.models import Q

    app_label, codename = permission.split(".", 1)
    holds = Q(groups__permissions__codename=codename) & Q(groups__permissions__content_type__app_label=app_label)
    return list(User.objects.filter(holds, is_active=True).distinct())


def render(message, **values) -> str:
    """A lazily translated message in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % values if values else str(message)


def users_with_role(*roles: str) -> QuerySet[User]:
    return User.objects.filter(role__in=roles, is_active=True)


def dispatchers() -> list[User]:
    return list(users_with_role(Role.DISPATCHER))


def department_handlers(department_id: int | None) -> list[User]:
    """The handlers of a department (not of its parent: the unit the case is with answers for it)."""
    if department_id is None:
        return []
    return list(User.objects.filter(role=Role.HANDLER, department_id=department_id, is_active=True))


def unread_count(user: User) -> int:
    """The badge in the console's header."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them, or those ids); returns how many changed."""
    from django.utils import timezone

    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
