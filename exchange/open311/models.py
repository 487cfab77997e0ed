"""Client applications allowed to POST Open311 service requests, each with its own API key (issued in the admin)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "o311_"


def digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiClient(models.Model):
    """An Open311 client app (a city app, FixMyStreet, a partner's portal). Only the key's SHA-256 is stored: the
    admin shows the key once, when it is issued. Reading the API needs no key; posting a request does."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    key_digest = models.CharField(_("key digest"), max_length=64, unique=True, editable=False)
    key_hint = models.CharField(_("key begins with"), max_length=12, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        app_label = "exchange"
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def issue_key(self) -> str:
        """A new random key for this client (the old one stops working once saved); returns it in the clear."""
        raw = KEY_PREFIX + secrets.token_urlsafe(24)
        self.key_digest = digest(raw)
        self.key_hint = raw[:10]
        return raw

    @classmethod
    def for_key(cls, raw_key: str) -> ApiClient | None:
        if not raw_key or len(raw_key) > 200:
            return None
        return cls.objects.filter(key_digest=digest(raw_key), is_active=True).first()
