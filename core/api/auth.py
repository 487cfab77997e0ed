"""Token login and logout for the handheld app and peer systems.

Login goes through ``django.contrib.auth.authenticate(request=…)`` so django-axes counts failures and refuses a
locked-out user or address; the lockout answers 429 with ``Retry-After``. Each login issues a new token for the
device named in the request (replacing that device's previous token); logout revokes the token it was sent with.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.models import ApiToken
from core.tokens import RevokeReason, issue, revoke


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("Username"), max_length=150)
    password = serializers.CharField(
        label=_("Password"), max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )
    device = serializers.CharField(
        label=_("Device"),
        max_length=100,
        required=False,
        default="default",
        help_text=_("Name of the device or system; a new login from the same device replaces its token."),
    )


class TokenIssuedSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("The key, shown only now: send it as `Authorization: Token <key>`."))
    device = serializers.CharField()
    expires = serializers.DateTimeField()


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self):
        self.wait = int(settings.AXES_COOLOFF_TIME.total_seconds())
        super().__init__(lockout_message())


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed logins: this account or address is locked for %(minutes)s minutes. "
        "An administrator can unlock it sooner."
    ) % {"minutes": minutes}


_error = inline_serializer("AuthError", {"detail": serializers.CharField()})


class TokenView(APIView):
    """Exchange a username and password for an API token for one device (`Authorization: Token …`)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_scope = "login"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenIssuedSerializer,
            400: OpenApiResponse(description=_("Missing field or wrong username or password.")),
            429: OpenApiResponse(_error, description=_("Locked out after failed logins, or rate-limited.")),
        },
    )
    def post(self, request):
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        user = authenticate(request=request, username=values["username"], password=values["password"])
        if user is None:
            if getattr(request, "axes_locked_out", False):
                raise LockedOut()
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Unable to log in with provided credentials.")]}, code="authorization"
            )
        token, key = issue(user, values["device"], request=request)
        return Response({"token": key, "device": token.name, "expires": token.expires})


class LogoutView(APIView):
    """Revoke the token this request was sent with (a console session is logged out instead)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            revoke(request.auth, RevokeReason.LOGOUT, request=request)
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
