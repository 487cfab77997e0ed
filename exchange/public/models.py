"""Citizens' reports (全民参与): the public side of a case reported by someone without an account.

The case itself is an ordinary case of source ``public`` (cases layer); this row keeps what belongs to the reporter
and never shows on the centre's side of the API: the secret tracking token of their link, their optional phone,
the Open311 contact fields and attributes, and which channel and client app it came by."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(18)  # 24 characters, 144 bits: the link is the reporter's only key


class Channel(models.TextChoices):
    WEB = "web", _("Public report page")  # 全民参与 page
    OPEN311 = "open311", _("Open311 client")


class PublicReport(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="public_report")
    token = models.CharField(_("tracking token"), max_length=32, unique=True, default=new_token, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    api_client = models.ForeignKey(
        "exchange.ApiClient", verbose_name=_("Open311 client"), null=True, blank=True, on_delete=models.PROTECT
    )
    choice = models.CharField(_("what the reporter chose"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    contact = models.JSONField(_("contact"), default=dict, blank=True)  # Open311 first/last name, email, device…
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)  # Open311 attribute[CODE]
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        app_label = "exchange"
        verbose_name = _("citizens' report")
        verbose_name_plural = _("citizens' reports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.case.case_no
