"""Admin of the networking: peers with their backlog, lag and failures ("deliver now", "full resync"), the send log
per record ("resend") and per batch, the records held back for want of a national code ("try again"), and the items
the upper levels posted."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count, IntegerField, Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchange.networking.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    Feed,
    HeldRecord,
    InboundItem,
    Peer,
)


def _per_peer(state: str, aggregate):
    rows = Delivery.objects.filter(peer=OuterRef("pk"), state=state).order_by().values("peer")
    return Subquery(rows.annotate(value=aggregate).values("value")[:1])


class PeerForm(forms.ModelForm):
    """The key is typed, never shown again; left empty on a change it stays as it was."""

    secret = forms.CharField(
        label=_("key"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Shared HMAC-SHA256 secret. Leave empty to keep the current one."),
    )
    url = forms.URLField(label=_("receiving URL"), max_length=300, assume_scheme="https")
    feeds = forms.MultipleChoiceField(
        label=_("receives"), choices=Feed.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Peer
        fields = ["name", "code", "level", "url", "secret", "feeds", "enabled", "batch_size"]

    def clean_secret(self):
        value = self.cleaned_data.get("secret") or ""
        if not value:
            if self.instance.pk:
                return self.instance.secret
            raise forms.ValidationError(_("This field is required."))
        if len(value) < 16:
            raise forms.ValidationError(_("At least 16 characters."))
        return value


@admin.register(Peer)
class PeerAdmin(admin.ModelAdmin):
    form = PeerForm
    list_display = [
        "name",
        "code",
        "level",
        "url",
        "enabled",
        "backlog",
        "lag",
        "refused_count",
        "failures",
        "next_attempt_at",
        "last_success_at",
        "error",
    ]
    list_filter = ["level", "enabled"]
    search_fields = ["name", "code", "url"]
    readonly_fields = ["actor", "failures", "next_attempt_at", "last_error", "last_success_at", "created_at"]
    actions = ["deliver_now", "full_resync"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                queued=_per_peer(DeliveryState.QUEUED, Count("id", output_field=IntegerField())),
                oldest=_per_peer(DeliveryState.QUEUED, Min("queued_at")),
                refused=_per_peer(DeliveryState.REFUSED, Count("id", output_field=IntegerField())),
            )
        )

    @admin.display(description=_("backlog"))
    def backlog(self, peer) -> int:
        return peer.queued or 0

    @admin.display(description=_("lag"))
    def lag(self, peer) -> str:
        if not peer.oldest:
            return "-"
        seconds = int((timezone.now() - peer.oldest).total_seconds())
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"

    @admin.display(description=_("refused"))
    def refused_count(self, peer) -> int:
        return peer.refused or 0

    @admin.display(description=_("last error"))
    def error(self, peer) -> str:
        return peer.last_error[:80]

    @admin.action(description=_("Deliver now"), permissions=["view"])
    def deliver_now(self, request, queryset):
        from exchange.networking.delivery import deliver_peer

        for peer in queryset:
            outcome = deliver_peer(peer.pk, force=True)
            self.message_user(
                request,
                _("%(peer)s: %(records)d records in %(batches)d batches%(failed)s.")
                % {
                    "peer": peer,
                    "records": outcome.get("records", 0),
                    "batches": outcome.get("batches", 0),
                    "failed": _(", then a failure") if outcome.get("failed") else "",
                },
            )

    @admin.action(description=_("Queue a full resync"), permissions=["view"])
    def full_resync(self, request, queryset):
        from core.outbox import enqueue_task

        for peer in queryset:
            enqueue_task("exchange.networking.tasks.resync", peer_id=peer.pk)
        self.message_user(request, _("A full resync is queued for %(count)d platforms.") % {"count": len(queryset)})


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(_ReadOnly):
    """The send log per record: queued, sent, acknowledged or refused with the peer's reason."""

    list_display = [
        "id",
        "peer",
        "kind",
        "key",
        "version",
        "state",
        "queued_at",
        "sent_at",
        "answered_at",
        "attempts",
        "reason",
    ]
    list_filter = ["state", "peer", "kind"]
    search_fields = ["key", "reason"]
    list_select_related = ["peer"]
    show_full_result_count = False
    actions = ["resend"]
    fields = ["peer", "kind", "key", "version", "state", "queued_at", "sent_at", "answered_at", "attempts"]
    fields += ["reason", "last_error", "body"]
    readonly_fields = ["body"]

    @admin.display(description=_("payload (JSON)"))
    def body(self, delivery) -> str:
        return delivery.record.body

    @admin.action(description=_("Resend"), permissions=["view"])
    def resend(self, request, queryset):
        from exchange.networking.services import resend

        count = resend(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(count)d records are queued again.") % {"count": count})


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(_ReadOnly):
    """The send log per batch."""

    list_display = ["at", "peer", "records", "http_status", "acknowledged", "refused", "milliseconds", "error"]
    list_filter = ["peer", "http_status"]
    show_full_result_count = False


@admin.register(HeldRecord)
class HeldRecordAdmin(_ReadOnly):
    """Records not sent: their class has no (single) mapping to the current national standard. Add the mapping
    under 分类对照 (class mappings), then "try again"."""

    list_display = ["kind", "key", "standard", "class_code", "class_name", "reason", "held_at", "updated_at"]
    list_filter = ["kind", "standard", "class_code"]
    search_fields = ["key", "class_code", "class_name"]
    actions = ["try_again"]

    @admin.action(description=_("Try again"), permissions=["view"])
    def try_again(self, request, queryset):
        from exchange.networking.services import release_held

        released, still = release_held(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request, _("%(released)d released, %(held)d still held.") % {"released": released, "held": still}
        )


@admin.register(InboundItem)
class InboundItemAdmin(_ReadOnly):
    list_display = ["received_at", "peer", "kind", "item_id", "title", "case", "deadline", "period"]
    list_filter = ["peer", "kind"]
    search_fields = ["item_id", "title", "content"]
    list_select_related = ["peer", "case"]
