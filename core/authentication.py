"""API authentication: ``Authorization: Token <key>``, the token and its user read by one plain SQL query.

Every request of the handheld app authenticates; the ORM would compile the same two-table query each time (a
sizeable share of a collector's report). The key is looked up by its SHA-256 digest (``core.tokens``). 401 for an
unknown, expired or revoked token and for an inactive user. ``last_used`` is written at most once every
``API_TOKEN_TOUCH_MINUTES`` per token, so a busy app costs one extra UPDATE a few times an hour, not per request.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from core.tokens import digest

_SQL = (
    "SELECT u.*, t.id AS token_id, t.name AS token_name, t.expires AS token_expires, t.last_used AS token_last_used "
    "FROM core_user u JOIN core_apitoken t ON t.user_id = u.id WHERE t.digest = %s"
)


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str):
        from core.models import ApiToken, User

        found = list(User.objects.raw(_SQL, [digest(key)]))
        if not found:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = found[0]
        now = timezone.now()
        if user.token_expires <= now:
            raise exceptions.AuthenticationFailed(_("Token has expired."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = ApiToken(id=user.token_id, user=user, name=user.token_name, expires=user.token_expires, last_used=now)
        touch_after = timedelta(minutes=settings.API_TOKEN_TOUCH_MINUTES)
        if user.token_last_used is None or now - user.token_last_used >= touch_after:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        else:
            token.last_used = user.token_last_used
        return user, token
