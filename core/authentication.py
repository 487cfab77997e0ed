"""API authentication: ``Authorization: Token <key>``, the token and its user read by one plain SQL query.

Every request of the handheld app authenticates; the ORM would compile the same two-table query each time (a
sizeable share of a collector's report). The key is looked up by its SHA-256 digest (``core.tokens``). 401 for an
unknown, expired or revoked token and for an inactive user. ``last_used`` is written at most once every
``API_TOKEN_TOUCH_MINUTES`` per token, so a busy app costs one extra UPDATE a few times an hour, not per request.
"""

from __future__ import annotations

import functools
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from core.tokens import digest


@functools.cache
def _lookup() -> tuple[str, list[str]]:
    """The query (the user's columns in model order, then the token's id, name, expiry and last use) and the
    user's attribute names, so the row becomes a User through ``from_db`` without the ORM's query machinery."""
    from core.models import User

    fields = User._meta.concrete_fields
    columns = ", ".join(f"u.{connection.ops.quote_name(f.column)}" for f in fields)
    sql = (
        f"SELECT {columns}, t.id, t.name, t.expires, t.last_used "
        "FROM core_user u JOIN core_apitoken t ON t.user_id = u.id WHERE t.digest = %s"
    )
    return sql, [f.attname for f in fields]


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str):
        from core.models import ApiToken, User

        sql, attnames = _lookup()
        with connection.cursor() as cursor:
            cursor.execute(sql, [digest(key)])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token_id, token_name, expires, last_used = row[len(attnames) :]
        user = User.from_db(connection.alias, attnames, row[: len(attnames)])
        now = timezone.now()
        if expires <= now:
            raise exceptions.AuthenticationFailed(_("Token has expired."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = ApiToken(id=token_id, user=user, name=token_name, expires=expires, last_used=now)
        touch_after = timedelta(minutes=settings.API_TOKEN_TOUCH_MINUTES)
        if last_used is None or now - last_used >= touch_after:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        else:
            token.last_used = last_used
        return user, token
