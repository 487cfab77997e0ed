"""The senders: one module per kind of channel, each with ``send(channel, delivery) -> str``.

A sender returns a short detail for the log (the gateway's message id, "ok") or raises ``Unavailable`` (network
error, timeout, HTTP 5xx/429, a robot's rate limit: worth retrying) or ``Refused`` (the receiver said no — bad key,
bad signature, bad number, HTTP 4xx: retrying would not help). Their reasons never carry a secret (``redact``).
"""

from __future__ import annotations

from django.utils.module_loading import import_string

SENDERS = {
    "sms": "core.messaging.senders.sms.send",
    "wecom": "core.messaging.senders.robots.send_wecom",
    "dingtalk": "core.messaging.senders.robots.send_dingtalk",
    "email": "core.messaging.senders.mail.send",
}


class SendError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:480]


class Unavailable(SendError):
    """The receiver could not be reached or asked us to come back later: retry with back-off."""


class Refused(SendError):
    """The receiver answered and refused the message: recorded as failed with its reason, not retried."""


def redact(text: str, *secrets: str) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def send(channel, delivery) -> str:
    try:
        sender = import_string(SENDERS[channel.kind])
    except KeyError:
        raise Refused(f"no sender for channel kind {channel.kind!r}") from None
    try:
        return sender(channel, delivery)
    except SendError as error:
        error.reason = redact(error.reason, channel.token, channel.secret)
        raise
