"""Issuing and revoking API tokens: the only functions that create or delete ``ApiToken`` rows."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.models import ApiToken, User
from core.signals import token_issued, token_revoked


class RevokeReason:
    LOGOUT = "logout"
    REPLACED = "replaced"  # a new token was issued for the same device
    PASSWORD_CHANGED = "password_changed"
    USER = "user"  # revoked by its owner on the console
    ADMIN = "admin"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def issue(user: User, device: str, request=None) -> tuple[ApiToken, str]:
    """A new token for ``device``, replacing the token that device had; returns the row and the key (shown once)."""
    key = secrets.token_hex(20)
    now = timezone.now()
    with transaction.atomic():
        for old in ApiToken.objects.select_for_update().filter(user=user, name=device):
            revoke(old, RevokeReason.REPLACED, request=request)
        token = ApiToken.objects.create(
            user=user,
            name=device,
            digest=digest(key),
            prefix=key[:8],
            created=now,
            expires=now + timedelta(days=settings.API_TOKEN_TTL_DAYS),
            last_used=now,  # the login is a use: the first requests then write nothing
        )
    token_issued.send(ApiToken, token=token, user=user, request=request, reason="login")
    return token, key


def revoke(token: ApiToken, reason: str, request=None) -> None:
    user = token.user
    ApiToken.objects.filter(pk=token.pk).delete()
    token_revoked.send(ApiToken, token=token, user=user, request=request, reason=reason)


def revoke_all(user: User, reason: str, request=None) -> int:
    tokens = list(ApiToken.objects.filter(user=user))
    for token in tokens:
        token.user = user
        revoke(token, reason, request=request)
    return len(tokens)
