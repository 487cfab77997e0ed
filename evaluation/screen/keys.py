"""Kiosk keys (大屏密钥): a wall display opens ``/screen/k/<token>/`` and holds no one's session.

The token is 32 random bytes (URL-safe base64); only its SHA-256 digest is stored, and the URL is shown once. A
key opens the big screen page, its data, the heat tiles, the grid outlines and the base map's tiles (base layers
only), read-only, nothing else. Making and
revoking a key each write an audit entry; a revoked key is refused (403) at the display's next poll.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.choices import AuditAction
from evaluation.models import ScreenKey

MANAGE = "evaluation.manage_screen_keys"
TOUCH_EVERY = timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_key(name: str, actor, *, request=None) -> tuple[ScreenKey, str]:
    """A new key and its token (shown once)."""
    if not actor.has_perm(MANAGE):
        raise PermissionDenied(_("Your role may not manage big screen keys."))
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _("Enter a name of at most 100 characters.")})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ScreenKey.objects.create(name=name, digest=digest(token), created_by=actor)
        audit.record(AuditAction.SCREEN_KEY_CREATED, request=request, actor=actor, obj=key, name=name)
    return key, token


def revoke_key(key_id: int, actor, *, request=None) -> ScreenKey:
    if not actor.has_perm(MANAGE):
        raise PermissionDenied(_("Your role may not manage big screen keys."))
    with transaction.atomic():
        key = ScreenKey.objects.select_for_update().get(pk=key_id)
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.revoked_by = actor
            key.save(update_fields=["revoked_at", "revoked_by"])
            audit.record(AuditAction.SCREEN_KEY_REVOKED, request=request, actor=actor, obj=key, name=key.name)
    return key


def active_key(token: str) -> ScreenKey | None:
    """The key of a token if it is not revoked; notes when it was last used (at most once a minute)."""
    if not token or len(token) > 100:
        return None
    key = ScreenKey.objects.filter(digest=digest(token), revoked_at__isnull=True).first()
    if key is not None:
        now = timezone.now()
        if key.last_seen_at is None or now - key.last_seen_at > TOUCH_EVERY:
            ScreenKey.objects.filter(pk=key.pk).update(last_seen_at=now)
    return key
