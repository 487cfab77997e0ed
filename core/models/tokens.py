"""API tokens: several per user (one per device), each with an expiry; only the key's SHA-256 digest is stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A key the handheld app or a peer system sends as ``Authorization: Token <key>``.

    The key itself is shown once, when issued; a stolen database dump yields digests, not usable keys.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("device"), max_length=100, help_text=_("The device or system the token was issued to."))
    digest = models.CharField(_("key digest"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("key prefix"), max_length=8, editable=False, help_text=_("To recognise a key."))
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires = models.DateTimeField(_("expires"))
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["user", "-created"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="apitoken_one_per_device")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.name} · {self.prefix}…"

    @property
    def is_expired(self) -> bool:
        return self.expires <= timezone.now()
