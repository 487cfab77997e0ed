"""The user's own account on the console: login page with its lockout and timeout notices, password change, and
the list of the user's API tokens (one per device) with revoke. Also the two hooks django-axes calls."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.models import ApiToken
from core.tokens import RevokeReason, revoke


def client_ip(request) -> str | None:
    """The caller's address: REMOTE_ADDR, or X-Forwarded-For's entry added by the outermost trusted proxy."""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count and forwarded:
        addresses = [part.strip() for part in forwarded.split(",")]
        return addresses[-min(count, len(addresses))]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out login sees: JSON for the API, else the login page with the reason (429 either way)."""
    from core.api.auth import lockout_message

    wait = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=429, headers={"Retry-After": wait})
    context = {"form": AuthenticationForm(request), "locked_out": lockout_message()}
    response = render(request, "core/login.html", context, status=429)
    response["Retry-After"] = wait
    return response


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["timed_out"] = getattr(self.request, "session_timed_out", False) and self.request.method == "GET"
        context["idle_minutes"] = settings.SESSION_IDLE_MINUTES
        return context


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view (checks the old password, applies the policy, keeps this session); saving the new password
    revokes the user's API tokens (``User.save``)."""

    template_name = "core/password_change.html"
    success_url = reverse_lazy("account-tokens")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["password_help"] = password_validation.password_validators_help_texts()
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed. Your devices must log in again."))
        return response


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created")
    return render(request, "core/tokens.html", {"tokens": tokens})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    revoke(token, RevokeReason.USER, request=request)
    messages.success(request, _("The token of %(device)s was revoked.") % {"device": token.name})
    return redirect("account-tokens")
