"""The user's own page (我的通知设置, /account/notifications/): mobile number and e-mail, SMS and e-mail on or off
over the rules' default, quiet hours; and the rules that reach the user today."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from core.messaging.kinds import kind_label
from core.messaging.models import Choice, Preference, Rule

MOBILE = re.compile(r"^1[3-9]\d{9}$")


class PreferenceForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    sms = forms.ChoiceField(label=_("SMS"), choices=Choice.choices, required=False)
    mail = forms.ChoiceField(label=_("e-mail"), choices=Choice.choices, required=False)
    quiet_start = forms.TimeField(label=_("quiet hours from"), required=False, widget=forms.TimeInput(format="%H:%M"))
    quiet_end = forms.TimeField(label=_("quiet hours until"), required=False, widget=forms.TimeInput(format="%H:%M"))

    def clean_phone(self) -> str:
        phone = re.sub(r"[\s-]", "", self.cleaned_data["phone"])
        if phone and not MOBILE.match(phone):
            raise forms.ValidationError(_("Enter an 11-digit mobile number."))
        return phone

    def clean(self):
        data = super().clean()
        if (data.get("quiet_start") is None) != (data.get("quiet_end") is None):
            self.add_error("quiet_end", _("Give both ends of the quiet hours, or neither."))
        return data


def rules_for(user) -> list[Rule]:
    """The active rules that can reach this user on a personal channel."""
    reach = Q(user=user) | Q(user__isnull=True, role__in=["", user.role])
    return list(
        Rule.objects.filter(reach, is_active=True, channel__is_active=True, channel__kind__in=["sms", "email"])
        .filter(Q(department__isnull=True) | Q(department_id=user.department_id))
        .select_related("channel")
        .order_by("kind", "id")
    )


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    preference = Preference.objects.filter(user=user).first() or Preference(user=user)
    initial = {
        "phone": user.phone,
        "email": user.email,
        "sms": preference.sms,
        "mail": preference.email,
        "quiet_start": preference.quiet_start,
        "quiet_end": preference.quiet_end,
    }
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            user.phone, user.email = data["phone"], data["email"]
            user.save(update_fields=["phone", "email"])
            preference.sms, preference.email = data["sms"], data["mail"]
            preference.quiet_start, preference.quiet_end = data["quiet_start"], data["quiet_end"]
            preference.save()
        messages.success(request, _("Your notification settings were saved."))
        return redirect("account-notifications")
    rules = [(kind_label(rule.kind), rule) for rule in rules_for(user)]
    context = {"form": form, "rules": rules}
    return render(request, "messaging/preferences.html", context, status=400 if form.errors else 200)
