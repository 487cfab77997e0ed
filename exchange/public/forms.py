"""The public report form: what a citizen fills in on a phone."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.choices import Satisfaction
from cases.services.intake import MAX_DESCRIPTION
from exchange.public.choices import PROBLEMS


def offered_problems() -> list[tuple[str, str]]:
    """The plain-language choices whose class exists in the default standard."""
    from grids.models import MinorClass

    codes = set(
        MinorClass.objects.filter(
            standard__is_default=True, kind="event", is_active=True, code__in=[code for _k, _l, code in PROBLEMS]
        ).values_list("code", flat=True)
    )
    return [(key, label) for key, label, code in PROBLEMS if code in codes]


class PublicReportForm(forms.Form):
    problem = forms.ChoiceField(label=_("What is the problem?"), widget=forms.RadioSelect)
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    description = forms.CharField(
        label=_("Describe it (optional)"),
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea({"rows": 3}),
    )
    address = forms.CharField(label=_("Where (street, landmark; optional)"), required=False, max_length=200)
    lat = forms.FloatField(widget=forms.HiddenInput, required=False)
    lng = forms.FloatField(widget=forms.HiddenInput, required=False)
    phone = forms.CharField(
        label=_("Your phone (optional; never shown to anyone else)"),
        required=False,
        max_length=20,
        widget=forms.TextInput({"inputmode": "tel", "autocomplete": "tel"}),
    )
    client_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["problem"].choices = offered_problems()
        if not self.is_bound:
            self.initial["client_token"] = uuid.uuid4()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("lat") is None or data.get("lng") is None:
            self.add_error(None, _("Tap the map where the problem is, or use your position."))
        return data


class SatisfactionForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("Are you satisfied with how it was handled?"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    opinion = forms.CharField(
        label=_("Anything to add (optional)"), required=False, max_length=500, widget=forms.Textarea({"rows": 2})
    )
