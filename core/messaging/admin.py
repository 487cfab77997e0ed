"""Admin of the notification channels: channels (secrets write-only), rules, users' preferences, and the delivery
log (read only; numbers and mailboxes masked in the lists)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core.messaging.models import Channel, Delivery, DeliveryLog, Preference, Rule
from core.messaging.services import mask_address

# Query parameters of a pasted webhook URL that carry its key.
KEY_PARAMETERS = ("key", "access_token")


def split_key(url: str) -> tuple[str, str]:
    """(URL without its key, key): ``…/send?key=abc`` → (``…/send``, ``abc``)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    keys = [value for name, value in query if name in KEY_PARAMETERS]
    rest = [(name, value) for name, value in query if name not in KEY_PARAMETERS]
    return urlunsplit(parts._replace(query=urlencode(rest))), (keys[0] if keys else "")


class ChannelForm(forms.ModelForm):
    """Secrets are never sent to the browser: an empty field keeps the stored value, "clear" removes it."""

    url = forms.URLField(label=_("URL"), required=False, max_length=500, assume_scheme="https")
    token = forms.CharField(label=_("key"), required=False, widget=forms.PasswordInput(render_value=False))
    secret = forms.CharField(label=_("signing secret"), required=False, widget=forms.PasswordInput(render_value=False))
    clear_secrets = forms.BooleanField(label=_("Clear the stored key and secret"), required=False)

    class Meta:
        model = Channel
        fields = [
            "name",
            "kind",
            "is_active",
            "url",
            "token",
            "secret",
            "timeout",
            "account",
            "sign_name",
            "template",
            "body_format",
            "mention_all",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = _("(stored; leave empty to keep)")
        for name in ("url", "token", "secret"):
            self.fields[name].help_text = Channel._meta.get_field(name).help_text
            if self.instance.pk and getattr(self.instance, name):
                self.fields[name].help_text = f"{self.fields[name].help_text} {stored}"

    def clean(self):
        data = super().clean()
        url, pasted_key = split_key(data.get("url") or "")
        data["url"] = url
        if pasted_key and not data.get("token"):
            data["token"] = pasted_key
        for name in ("token", "secret"):
            if not data.get(name) and self.instance.pk and not data.get("clear_secrets"):
                data[name] = getattr(Channel.objects.get(pk=self.instance.pk), name)
        return data


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelForm
    list_display = ["name", "kind", "shown_url", "has_key", "has_secret", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    actions = ["send_test_message"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "is_active", "url", "token", "secret", "clear_secrets", "timeout"]}),
        (_("SMS gateway"), {"fields": ["account", "sign_name", "template", "body_format"]}),
        (_("Group robots"), {"fields": ["mention_all"]}),
    ]

    @admin.action(description=_("Send a test message"), permissions=["change"])
    def send_test_message(self, request, queryset) -> None:
        from core.messaging.services import send_test

        for channel in queryset:
            send_test(channel, request.user)
        self.message_user(request, _("Test messages queued: see the delivery log for the answers."), messages.INFO)

    @admin.display(description=_("URL"))
    def shown_url(self, obj: Channel) -> str:
        return split_key(obj.url)[0]

    @admin.display(description=_("key"), boolean=True)
    def has_key(self, obj: Channel) -> bool:
        return bool(obj.token)

    @admin.display(description=_("signing secret"), boolean=True)
    def has_secret(self, obj: Channel) -> bool:
        return bool(obj.secret)


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "channel", "role", "user", "department", "opt_in", "quiet_start", "quiet_end", "is_active"]
    list_filter = ["kind", "channel", "role", "is_active"]
    list_editable = ["is_active"]
    autocomplete_fields = ["user", "department"]
    search_fields = ["note", "user__username", "user__first_name"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "sms", "email", "quiet_start", "quiet_end"]
    autocomplete_fields = ["user"]
    search_fields = ["user__username", "user__first_name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """Deliveries and where they stand; the detail page lists the delivery's log."""

    list_display = ["created_at", "kind", "channel", "recipient", "masked_address", "status", "attempts", "last_error"]
    list_filter = ["status", "channel__kind", "kind", "channel"]
    search_fields = ["message", "event_key", "recipient__username"]
    date_hierarchy = "created_at"
    list_select_related = ["channel", "recipient"]
    fields = [
        "kind",
        "message",
        "url",
        "channel",
        "rule",
        "recipient",
        "masked_address",
        "urgent",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
        "event_key",
        "history",
    ]
    readonly_fields = fields

    @admin.display(description=_("address"))
    def masked_address(self, obj: Delivery) -> str:
        return mask_address(obj.address)

    @admin.display(description=_("delivery log"))
    def history(self, obj: Delivery) -> str:
        rows = [
            (
                timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                entry.get_status_display(),
                entry.attempt,
                entry.detail,
            )
            for entry in obj.log.order_by("id")
        ]
        return format_html_join("", "<div>{} · {} · #{} · {}</div>", rows)


@admin.register(DeliveryLog)
class DeliveryLogAdmin(ReadOnlyAdmin):
    """发送记录: append-only (the database refuses UPDATE and DELETE)."""

    list_display = ["at", "delivery_id", "kind", "channel", "masked_address", "status", "attempt", "detail"]
    list_filter = ["status", "delivery__channel__kind", "delivery__kind"]
    search_fields = ["detail", "delivery__event_key"]
    date_hierarchy = "at"
    list_select_related = ["delivery__channel"]
    show_full_result_count = False

    @admin.display(description=_("kind of event"))
    def kind(self, obj: DeliveryLog) -> str:
        from core.messaging.kinds import kind_label

        return kind_label(obj.delivery.kind)

    @admin.display(description=_("channel"))
    def channel(self, obj: DeliveryLog) -> str:
        return str(obj.delivery.channel)

    @admin.display(description=_("address"))
    def masked_address(self, obj: DeliveryLog) -> str:
        return mask_address(obj.delivery.address)
