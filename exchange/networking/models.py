"""Peers (the upper platforms), the per-peer delivery queue with its send log, records held back for want of a
national code, and the items the upper levels post down (督办, evaluation tasks).

Why a queue of our own rather than core's generic outbox (core/outbox.py): the outbox runs a handler once and
forgets; here every record goes to several peers, each peer acknowledges or refuses each record on its own (with a
reason to keep), a peer that is down must hold back every newer record of the same case until the older one is
through, and the admin must show each peer's backlog and lag and resend what it chooses. That is state per (peer,
record, version), which is this table. Core's outbox still carries the trigger: a case transition's announcement is
an outbox row written with the transition, and the listener that writes our queue rows runs in the transaction
that marks the announcement delivered — so a committed change is queued exactly once, a rolled-back one never.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class PeerLevel(models.TextChoices):
    NATIONAL = "national", _("National platform")  # 国家平台
    PROVINCIAL = "provincial", _("Provincial platform")  # 省级平台


class Feed(models.TextChoices):
    """What a peer receives. Answers to its own 督办 items go to the peer that posted them, whatever it receives."""

    BASE = "base", _("Base data (regions, grids, component counts)")
    CASES = "cases", _("Case records")
    HOTLINE = "hotline", _("Hotline work orders")
    EVALUATION = "evaluation", _("Monthly evaluation figures")


class RecordKind(models.TextChoices):
    REGION = "region", _("Region")
    GRID = "grid", _("Unit grid")
    COMPONENT_COUNTS = "component_counts", _("Component counts")
    CASE = "case", _("Case")
    HOTLINE_ORDER = "hotline_order", _("Hotline work order")
    EVALUATION = "evaluation", _("Monthly evaluation")
    SUPERVISION_REPLY = "supervision_reply", _("Answer to a supervision item")


FEED_KINDS = {
    Feed.BASE: {RecordKind.REGION, RecordKind.GRID, RecordKind.COMPONENT_COUNTS},
    Feed.CASES: {RecordKind.CASE},
    Feed.HOTLINE: {RecordKind.HOTLINE_ORDER},
    Feed.EVALUATION: {RecordKind.EVALUATION},
}


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("Queued")  # 待发送 (also after a failed attempt: it waits for the peer's back-off)
    SENT = "sent", _("Sent")  # 已发送: the peer took the batch but did not answer this record
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")  # 已确认
    REFUSED = "refused", _("Refused")  # 被拒收, with the peer's reason


class Peer(models.Model):
    """An upper platform we send to and accept 督办 from. Its ``secret`` signs both directions (signing.py)."""

    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("How the peer names itself in the X-Exchange-Peer header.")
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=12, choices=PeerLevel.choices)
    url = models.URLField(_("receiving URL"), max_length=300, help_text=_("Batches are POSTed here (HTTPS)."))
    secret = models.CharField(_("key"), max_length=200, help_text=_("Shared HMAC-SHA256 secret."))
    feeds = ArrayField(
        models.CharField(max_length=20, choices=Feed.choices), verbose_name=_("receives"), default=list, blank=True
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    batch_size = models.PositiveIntegerField(_("batch size"), default=500)
    # The system account a 督办 from this peer acts as (created on first use; it cannot log in).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("system account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Delivery state of the peer as a whole: a peer that is down is retried with back-off.
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    # One delivery run per peer at a time: a lease taken by a conditional UPDATE (no session-level lock, which a
    # pooler in transaction mode would strand on one server session); a killed worker's lease simply runs out.
    delivering_until = models.DateTimeField(_("delivery running until"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("upper platform")
        verbose_name_plural = _("upper platforms")
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.url and not self.url.lower().startswith(("https://", "http://")):
            raise ValidationError({"url": _("Use an https:// address.")})
        unknown = set(self.feeds or []) - set(Feed.values)
        if unknown:
            raise ValidationError({"feeds": _("Unknown feeds: %(feeds)s.") % {"feeds": ", ".join(sorted(unknown))}})

    def receives(self, kind: str) -> bool:
        return any(kind in FEED_KINDS[Feed(feed)] for feed in self.feeds if feed in Feed.values)


class ExchangeRecord(models.Model):
    """The current version of one outbound record. A change whose payload differs from the last one queued bumps
    the version (so a listener run twice, or a resync, queues nothing new)."""

    kind = models.CharField(_("kind"), max_length=20, choices=RecordKind.choices)
    key = models.CharField(_("record id"), max_length=80)
    version = models.PositiveIntegerField(_("version"), default=0)
    digest = models.CharField(_("digest"), max_length=64)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("exchange record")
        verbose_name_plural = _("exchange records")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="exchange_record_kind_key")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} v{self.version}"


class RecordVersion(models.Model):
    """One version of one record as it is sent: the JSON text pasted as is into every peer's batch (stored once
    whatever the number of peers; the queue rows stay narrow, so acknowledging a batch rewrites little)."""

    kind = models.CharField(_("kind"), max_length=20, choices=RecordKind.choices)
    key = models.CharField(_("record id"), max_length=80)
    version = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("payload (JSON)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("record version")
        verbose_name_plural = _("record versions")
        constraints = [models.UniqueConstraint(fields=["kind", "key", "version"], name="record_version_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} v{self.version}"

    @property
    def data(self) -> dict:
        return json.loads(self.body)


class Delivery(models.Model):
    """One version of one record for one peer, and what became of it: the send log per record."""

    peer = models.ForeignKey(
        Peer, verbose_name=_("upper platform"), on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RecordKind.choices)
    key = models.CharField(_("record id"), max_length=80)
    version = models.PositiveIntegerField(_("version"))
    record = models.ForeignKey(RecordVersion, verbose_name=_("payload"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=12, choices=DeliveryState.choices, default=DeliveryState.QUEUED)
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reason = models.TextField(_("peer's reason"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["peer", "kind", "key", "version"], name="delivery_peer_record_version")
        ]
        indexes = [
            # The queue: a peer's queued rows in order (partial: the acknowledged millions cost nothing).
            models.Index(fields=["peer", "id"], name="delivery_queued", condition=models.Q(state="queued")),
            models.Index(fields=["peer", "id"], name="delivery_refused", condition=models.Q(state="refused")),
            models.Index(fields=["kind", "key"], name="delivery_record"),
        ]

    def __str__(self) -> str:
        return f"{self.peer_id}:{self.kind}:{self.key} v{self.version} {self.state}"

    @property
    def payload(self) -> dict:
        return self.record.data


class DeliveryAttempt(models.Model):
    """The send log per batch: one POST to a peer and its outcome."""

    peer = models.ForeignKey(Peer, verbose_name=_("upper platform"), on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    records = models.PositiveIntegerField(_("records"))
    first_id = models.BigIntegerField(_("first delivery"))
    last_id = models.BigIntegerField(_("last delivery"))
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    acknowledged = models.PositiveIntegerField(_("acknowledged"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    error = models.TextField(_("error"), blank=True)
    milliseconds = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.peer_id} {self.at:%Y-%m-%d %H:%M:%S} {self.records}"


class HeldRecord(models.Model):
    """A record not sent because it has no current national code: a legacy class without a 2007 → 2026 mapping
    (or with several). Listed in the admin until a mapping is added and the record is released."""

    kind = models.CharField(_("kind"), max_length=20, choices=RecordKind.choices)
    key = models.CharField(_("record id"), max_length=80)
    class_code = models.CharField(_("class code"), max_length=8)
    class_name = models.CharField(_("class name"), max_length=100, blank=True)
    standard = models.CharField(_("standard"), max_length=32)
    reason = models.CharField(_("reason"), max_length=200)
    held_at = models.DateTimeField(_("held since"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last held"), auto_now=True)

    class Meta:
        verbose_name = _("held-back record")
        verbose_name_plural = _("held-back records")
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="held_record_kind_key")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.standard} {self.class_code})"


class InboundKind(models.TextChoices):
    SUPERVISION = "supervision", _("Supervision")  # 督办
    EVALUATION_TASK = "evaluation_task", _("Evaluation task")


class InboundItem(models.Model):
    """An item an upper platform posted: a 督办 (naming a case: it becomes an urge on the case) or an evaluation
    task. Unique per peer and the peer's own id, so a repeated post creates nothing."""

    peer = models.ForeignKey(Peer, verbose_name=_("upper platform"), on_delete=models.PROTECT, related_name="items")
    item_id = models.CharField(_("item id"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=InboundKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    content = models.TextField(_("content"), blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    period = models.CharField(_("period"), max_length=7, blank=True, help_text=_("YYYY-MM, for evaluation tasks."))
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case_event = models.ForeignKey(
        "cases.CaseEvent",
        verbose_name=_("urge event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,  # the timeline is partitioned by year: no foreign key can point at its id alone
    )
    payload = models.JSONField(_("payload"), default=dict)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("item from an upper platform")
        verbose_name_plural = _("items from upper platforms")
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["peer", "item_id"], name="inbound_item_peer_id")]

    def __str__(self) -> str:
        return f"{self.peer_id}:{self.item_id}"


class SeenNonce(models.Model):
    """Nonces of signed inbound requests inside the time window: a replayed request is refused."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("seen nonce")
        verbose_name_plural = _("seen nonces")
        constraints = [models.UniqueConstraint(fields=["peer", "nonce"], name="seen_nonce_peer_nonce")]

    def __str__(self) -> str:
        return f"{self.peer_id}:{self.nonce}"
