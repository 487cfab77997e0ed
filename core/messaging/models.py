"""Channels, rules, users' own choices, and the deliveries with their append-only log.

- ``Channel`` (通知通道): one SMS gateway, WeChat Work robot, DingTalk robot or mail sender, with its secrets.
- ``Rule`` (通知规则): which kind of event goes to which channel, for whom (a role, a user, a department).
- ``Preference``: a user's own opt-in/opt-out per personal channel and quiet hours (the account page).
- ``Delivery``: one message to one channel and address, unique per event, channel and recipient (what makes a
  notification never go out twice), with its state; ``DeliveryLog`` records every step of it and is append-only.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.messaging.kinds import kind_choices, kind_label


class ChannelKind(models.TextChoices):
    SMS = "sms", _("SMS gateway")  # 短信网关
    WECOM = "wecom", _("WeChat Work group robot")  # 企业微信群机器人
    DINGTALK = "dingtalk", _("DingTalk group robot")  # 钉钉群机器人
    EMAIL = "email", _("E-mail")


# Channels that reach one person at their own address; robots post to a group once per event.
PERSONAL_KINDS = frozenset({ChannelKind.SMS, ChannelKind.EMAIL})


class BodyFormat(models.TextChoices):
    JSON = "json", _("JSON")
    FORM = "form", _("Form (application/x-www-form-urlencoded)")


class Channel(models.Model):
    """Where messages go out. Secrets (``token``, ``secret``) are write-only in the admin and never logged."""

    # The admin's audit trail writes these as *** (core.admin_site).
    audit_hidden_fields = ("token", "secret")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    url = models.URLField(
        _("URL"),
        max_length=500,
        blank=True,
        help_text=_("The gateway's or robot's address without its key (a key pasted in the URL is moved to the key)."),
    )
    token = models.CharField(
        _("key"),
        max_length=200,
        blank=True,
        help_text=_("WeChat Work: the webhook key; DingTalk: the access_token; SMS gateway: the password or API key."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk: the robot's signing secret (SEC…); SMS gateway: the HMAC key of the X-Signature."),
    )
    account = models.CharField(
        _("account"), max_length=100, blank=True, help_text=_("SMS gateway: the account; e-mail: the sender address.")
    )
    sign_name = models.CharField(_("SMS signature"), max_length=40, blank=True, help_text=_("e.g. 璧山城管"))
    template = models.CharField(_("SMS template code"), max_length=100, blank=True)
    body_format = models.CharField(_("request body"), max_length=10, choices=BodyFormat.choices, default="json")
    mention_all = models.BooleanField(_("mention everyone"), default=False, help_text=_("Robots: @all in the group."))
    timeout = models.PositiveSmallIntegerField(_("timeout (seconds)"), default=10)

    class Meta:
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_personal(self) -> bool:
        return self.kind in PERSONAL_KINDS

    def clean(self) -> None:
        if self.kind in (ChannelKind.WECOM, ChannelKind.DINGTALK, ChannelKind.SMS) and not self.url:
            raise ValidationError({"url": _("This channel needs its URL.")})


class Rule(models.Model):
    """A kind of event → a channel, for a role or a user, optionally narrowed to one department.

    With a role: each in-app recipient of that role hears of it on the channel. With a user: that user does, for every
    event of the kind (even one they were not told of in-app). Neither: every recipient (personal channels) or the
    group (robots). A department narrows to events one of whose recipients belongs to it."""

    kind = models.CharField(_("kind of event"), max_length=30, choices=kind_choices())
    channel = models.ForeignKey(Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="rules")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.CASCADE
    )
    department = models.ForeignKey(
        "core.Department", verbose_name=_("department"), null=True, blank=True, on_delete=models.CASCADE
    )
    opt_in = models.BooleanField(
        _("only for users who opt in"),
        default=False,
        help_text=_("Personal channels: off unless the user switches the channel on (otherwise on unless off)."),
    )
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("notification rule")
        verbose_name_plural = _("notification rules")
        ordering = ["kind", "id"]
        indexes = [models.Index(fields=["kind"], condition=Q(is_active=True), name="messaging_rule_active_kind")]

    def __str__(self) -> str:
        who = self.user or (Role(self.role).label if self.role else _("everyone concerned"))
        return f"{kind_label(self.kind)} → {self.channel} ({who})"

    def clean(self) -> None:
        if self.role and self.user_id:
            raise ValidationError({"user": _("Name a role or a user, not both.")})
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValidationError({"quiet_end": _("Give both ends of the quiet hours, or neither.")})


class Choice(models.TextChoices):
    DEFAULT = "", _("As the rules say")
    ON = "on", _("On")
    OFF = "off", _("Off")


class Preference(models.Model):
    """A user's own say: SMS and e-mail on or off (over the rules' default), and quiet hours for both."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="messaging"
    )
    sms = models.CharField(_("SMS"), max_length=3, choices=Choice.choices, blank=True)
    email = models.CharField(_("e-mail"), max_length=3, choices=Choice.choices, blank=True)
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    def choice(self, channel_kind: str) -> str:
        return {ChannelKind.SMS: self.sms, ChannelKind.EMAIL: self.email}.get(channel_kind, "")

    def clean(self) -> None:
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValidationError({"quiet_end": _("Give both ends of the quiet hours, or neither.")})


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")  # 待发送
    HELD = "held", _("Held for quiet hours")  # 免打扰暂缓
    RETRYING = "retrying", _("Failed, will retry")  # 失败待重试
    SENT = "sent", _("Sent")  # 已发送
    FAILED = "failed", _("Failed")  # 发送失败


OPEN_STATUSES = (DeliveryStatus.QUEUED, DeliveryStatus.HELD, DeliveryStatus.RETRYING)


class Delivery(models.Model):
    """One message to one channel and address. ``dedupe_key`` (event, channel, recipient) is unique: however often
    an event is routed, it is delivered once per channel and recipient."""

    dedupe_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    event_key = models.CharField(_("event"), max_length=140, db_index=True)
    kind = models.CharField(_("kind of event"), max_length=30)
    message = models.CharField(_("message"), max_length=300)
    url = models.CharField(_("link"), max_length=200, blank=True)
    channel = models.ForeignKey(Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(Rule, verbose_name=_("rule"), null=True, blank=True, on_delete=models.SET_NULL)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=254, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices, default="queued")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When the sweeper (tasks.dispatch_due) may queue it again: a retry's back-off, the end of quiet hours, or the
    # lease of a task already queued.
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(status__in=OPEN_STATUSES), name="messaging_delivery_due"
            )
        ]

    def __str__(self) -> str:
        return f"{kind_label(self.kind)} → {self.channel_id} #{self.pk}"


class DeliveryLog(models.Model):
    """发送记录: every step of a delivery (queued, held, sent, failed with the reason, retry). Append-only: a trigger
    refuses UPDATE and DELETE (core/append_only.py)."""

    delivery = models.ForeignKey(Delivery, verbose_name=_("delivery"), on_delete=models.PROTECT, related_name="log")
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=0)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("delivery log entry")
        verbose_name_plural = _("delivery log")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status}"
