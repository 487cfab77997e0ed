"""API authentication: DRF's token scheme, with the token and its user read by one plain SQL query.

Every request of the handheld app authenticates; the ORM would compile the same two-table query each time (a
sizeable share of a collector's report). Same answers as DRF's ``TokenAuthentication``: 401 for an unknown token
or an inactive user.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

_SQL = "SELECT u.* FROM core_user u JOIN authtoken_token t ON t.user_id = u.id WHERE t.key = %s"


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str):
        from core.models import User

        found = list(User.objects.raw(_SQL, [key]))
        if not found:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = found[0]
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, Token(key=key, user=user)
