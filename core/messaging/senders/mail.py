"""E-mail through Django's mail backend (SMTP settings from the environment: EMAIL_HOST, EMAIL_PORT, …).

A permanent SMTP answer (5xx: unknown mailbox, refused sender) is a refusal; a connection failure or a temporary
answer (4xx) is retried.
"""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from core.messaging.senders import Refused, Unavailable
from core.messaging.texts import mail_body, mail_subject


def _code(error: smtplib.SMTPException) -> int:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return min(codes) if codes else 0
    return int(getattr(error, "smtp_code", 0) or 0)


def send(channel, delivery) -> str:
    message = EmailMessage(
        mail_subject(delivery),
        mail_body(delivery),
        from_email=channel.account or settings.DEFAULT_FROM_EMAIL,
        to=[delivery.address],
        headers={"X-Citymgmt-Delivery": str(delivery.pk)},
        connection=get_connection(fail_silently=False, timeout=channel.timeout),
    )
    try:
        message.send()
    except smtplib.SMTPException as error:
        code = _code(error)
        reason = f"SMTP {code or type(error).__name__}: {error}"
        if 500 <= code < 600:
            raise Refused(reason) from None
        raise Unavailable(reason) from None
    except OSError as error:
        raise Unavailable(f"{type(error).__name__}: {error}") from None
    return "ok"
