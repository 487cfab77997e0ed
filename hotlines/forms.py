"""Console forms: the 12319 manual entry form, one small form per work-order action, the Excel upload."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Department
from core.spreadsheets.forms import SpreadsheetField
from grids.choices import Urgency
from hotlines.choices import OrderType, Satisfaction
from hotlines.models import Hotline
from hotlines.workflow import TRANSITIONS


def new_order_number() -> str:
    """A number for an order taken on the centre's own line; generated when the form is shown, so submitting the
    same form twice (a double click, a reload) receives the order once."""
    return f"{timezone.localdate():%Y%m%d}{uuid.uuid4().hex[:6].upper()}"


class OrderEntryForm(forms.Form):
    hotline = forms.ModelChoiceField(
        label=_("Hotline"), queryset=Hotline.objects.filter(is_active=True), to_field_name="code"
    )
    external_no = forms.CharField(label=_("Order number"), max_length=50)
    received_at = forms.DateTimeField(label=_("Received at"), required=False)
    caller_name = forms.CharField(label=_("Caller name"), max_length=50, required=False)
    caller_phone = forms.CharField(label=_("Caller phone"), max_length=30, required=False)
    order_type = forms.ChoiceField(label=_("Type"), choices=OrderType.choices, initial=OrderType.COMPLAINT)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    lng = forms.FloatField(label=_("Longitude"), required=False)
    lat = forms.FloatField(label=_("Latitude"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("hotline", "12319")
            self.initial.setdefault("external_no", new_order_number())
            self.initial.setdefault("received_at", timezone.localtime().strftime("%Y-%m-%d %H:%M"))

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["hotline"] = data["hotline"].code
        return data


class ActionForm(forms.Form):
    action = ""
    label = ""
    dangerous = False

    def params(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v is not None and v != ""}


def class_choices() -> list[tuple[str, str]]:
    """Active classes of the default standard, events first (a hotline complaint is usually an event)."""
    from grids.models import MinorClass

    rows = MinorClass.objects.filter(standard__is_default=True, is_active=True).order_by("-kind", "code")
    choices: dict[str, str] = {}
    for klass in rows.only("code", "name"):
        choices.setdefault(klass.code, f"{klass.code} {klass.name}")
    return [("", "---------"), *choices.items()]


def _opinion(required=False, label=None):
    return forms.CharField(
        label=label or _("Opinion"), required=required, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


FIELDS = {
    "answer_directly": lambda: {"reply": _opinion(True, _("Reply to the caller"))},
    "transfer": lambda: {
        "department": forms.ModelChoiceField(
            label=_("Department"), queryset=Department.objects.filter(is_active=True).order_by("name")
        ),
        "opinion": _opinion(),
    },
    "convert": lambda: {
        "class_code": forms.ChoiceField(label=_("Class"), choices=class_choices),
        "lng": forms.FloatField(label=_("Longitude"), required=False),
        "lat": forms.FloatField(label=_("Latitude"), required=False),
        "opinion": _opinion(),
    },
    "sign": dict,
    "handle": lambda: {"opinion": _opinion(True, _("What was done"))},
    "reply": lambda: {"reply": _opinion(True, _("Reply to the caller"))},
    "visit": lambda: {
        "satisfaction": forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices),
        "redo": forms.TypedChoiceField(
            label=_("If not satisfied"),
            choices=[("1", _("Reopen for a redo")), ("0", _("Complete as unsatisfied"))],
            coerce=lambda v: v == "1",
            initial="1",
        ),
        "opinion": _opinion(),
    },
    "complete": lambda: {"opinion": _opinion()},
    "send_back": lambda: {"reason": _opinion(True, _("Reason"))},
    "extend": lambda: {
        "days": forms.DecimalField(
            label=_("Working days"), min_value=0.5, max_value=60, decimal_places=2, required=False
        ),
        "reason": _opinion(False, _("Reason")),
    },
    "request_extension": lambda: {
        "days": forms.DecimalField(label=_("Working days"), min_value=0.5, max_value=60, decimal_places=2),
        "reason": _opinion(True, _("Reason")),
    },
    "deny_extension": lambda: {"reason": _opinion(True, _("Reason"))},
    "urge": lambda: {"opinion": _opinion()},
}
assert set(FIELDS) == set(TRANSITIONS)
DANGEROUS = {"send_back", "deny_extension"}


def action_form(action: str, order, data=None) -> ActionForm:
    fields = FIELDS[action]()
    form_class = type(f"{action.title().replace('_', '')}Form", (ActionForm,), dict(fields))
    form = form_class(data=data, prefix=action)
    form.action = action
    form.label = TRANSITIONS[action].label
    form.dangerous = action in DANGEROUS
    if action == "transfer" and data is None and order.department_id:
        form.initial["department"] = order.department_id
    if action == "extend" and data is None and order.extension_requested_days is not None:
        form.initial["days"] = order.extension_requested_days
    return form


class ImportForm(forms.Form):
    file = SpreadsheetField(label=_("Excel file (.xlsx)"))
    skip_invalid = forms.BooleanField(label=_("Import the good rows and skip the bad ones"), required=False)
    dry_run = forms.BooleanField(label=_("Only check the file"), required=False)
