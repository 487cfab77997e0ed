"""In-app notifications (站内消息): who hears of what, and the one door every notification goes through.

Every app that tells people something (cases: dispatched, urged, overdue; hotlines: sent back, overdue; evaluation:
a bulletin published) builds rows here and hands them to ``send_notifications``: the only function that writes
``Notification`` rows. Recipients are chosen by *permission* (``users_with_permission``), optionally within one
department, never by role name: whoever may act on a thing hears of it, whatever their role is called.

Messages are rendered in the site's language when they are created (a Celery worker has no request language) and
stored as text, so a notification reads the same however often it is shown. Each (recipient, dedupe key) is written
once: re-running a task or re-delivering an outbox message notifies nobody twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from core import messaging
from core.models import Notification, User

MESSAGE_LENGTH = 300  # Notification.message's max_length


def users_with_permission(permission: str, department: int | object | None = None) -> QuerySet[User]:
    """Active users whose role group (or own permissions) carries *permission* (``app_label.codename``); with
    *department* (an id or a Department), only that department's members — not its parent's or sub-units': the
    unit a thing is with answers for it."""
    app_label, codename = permission.split(".", 1)
    by_group = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
    by_user = Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    users = User.objects.filter(is_active=True)
    if department is not None:
        users = users.filter(department_id=getattr(department, "pk", department))
    # A subquery rather than a join: a user holding the permission twice (group and own) still comes out once.
    holders = User.objects.filter(by_group | by_user).values("pk")
    return users.filter(pk__in=holders)


def render(message, **values) -> str:
    """A lazily translated message in the site's language (what a notification stores)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % values if values else str(message)


def build(users: Iterable[User | int], kind: str, message: str, url: str = "", dedupe_key: str = "") -> list:
    """Unsaved notifications, one per distinct user, for ``send_notifications`` (callers that notify many people
    about many things build all their rows first and send them at once)."""
    return [
        Notification(
            recipient_id=recipient, kind=kind, message=str(message)[:MESSAGE_LENGTH], url=url, dedupe_key=dedupe_key
        )
        for recipient in sorted({getattr(u, "pk", u) for u in users})
    ]


def send_notifications(rows: list[Notification]) -> int:
    """THE one door for in-app notifications: every notification of every app is inserted here and nowhere else.

    Inserts in one statement per thousand rows; a (recipient, dedupe key) already notified is skipped (``ON CONFLICT
    DO NOTHING``), which is what makes re-running a task or re-delivering an outbox message harmless. Callers run
    it inside their own transaction (a task's, or the outbox delivery's), so a failure writes nothing.

    Hook for other channels: external delivery (SMS gateways, chat robots, e-mail) belongs here, after the insert,
    queued through ``core.outbox`` in the same transaction so that it survives a dead broker; keep this the only
    place that writes ``Notification`` rows so such a hook sees every message. Returns the number of rows offered
    (not only the new ones).

    The other channels (``core.messaging``: SMS, WeChat Work and DingTalk robots, e-mail) hear of every row here:
    ``fan_out`` writes their outbox row in the same transaction, so a rolled-back change tells nobody. No savepoint:
    a bulk notice stays within the statement budget of the callers' tests."""
    with transaction.atomic(savepoint=False):
        Notification.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        messaging.fan_out(rows)
    return len(rows)


def notify(users: Iterable[User | int], kind: str, message: str, url: str = "", dedupe_key: str = "") -> int:
    """Notify each user once; a user who already has a notification with this dedupe key is skipped."""
    return send_notifications(build(users, kind, message, url, dedupe_key))


def deliver(
    kind: str, message: str, url: str = "", dedupe_key: str = "", permission: str = "", department: int | None = None
) -> int:
    """Outbox handler (``core.outbox.enqueue("core.notifications.deliver", …)``): notify the active holders of
    *permission*, only within *department* when one is given, resolved when delivered; the dedupe key makes a
    re-delivery harmless."""
    if not permission:
        raise ValueError("a notification needs the permission its recipients hold")
    return notify(users_with_permission(permission, department), kind, message, url, dedupe_key)


def unread_count(user: User) -> int:
    """The badge in the console's top bar and the notifications page: the one place this count is written."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them, or those ids); returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
