"""The words of a message on each channel, in the site's language (a worker has no request language)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.messaging.kinds import kind_label


def link(delivery) -> str:
    """The notification's link made absolute with ``MESSAGING_SITE_URL`` (empty without it: a relative link means
    nothing outside the console)."""
    base = getattr(settings, "MESSAGING_SITE_URL", "").rstrip("/")
    if not delivery.url or not base:
        return delivery.url if delivery.url.startswith(("http://", "https://")) else ""
    return delivery.url if delivery.url.startswith(("http://", "https://")) else f"{base}{delivery.url}"


def label(delivery) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return kind_label(delivery.kind)


def robot_text(delivery) -> str:
    """【Case overdue】Case 20250603-0001 is overdue… and the link on its own line."""
    target = link(delivery)
    return f"【{label(delivery)}】{delivery.message}" + (f"\n{target}" if target else "")


def sms_text(delivery, sign_name: str) -> str:
    """The signature in 【】 (carriers require it) and the message; no link (carriers block most)."""
    sign = f"【{sign_name}】" if sign_name else ""
    return f"{sign}{delivery.message}"[: getattr(settings, "MESSAGING_SMS_MAX_CHARS", 300)]


def mail_subject(delivery) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return f"[{_('City-management command centre')}] {label(delivery)}"


def mail_body(delivery) -> str:
    target = link(delivery)
    return delivery.message + (f"\n\n{target}" if target else "") + "\n"
