"""Console forms of the other intake channels. Field names are the keyword arguments of
``hotlines.channels.services``, so the service's errors land on the right field."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Department
from hotlines.choices import InspectorLevel, OpinionChannel
from hotlines.forms import class_choices


def _now_text(seconds: bool = False) -> str:
    return timezone.localtime().strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def _class_field(required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Class"), choices=class_choices, required=required)


def _text_area(label, required=True, max_length=4000, rows=3) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


def _field_of(name: str) -> str:
    """The form field a service error names: a point's ``location`` error shows on its longitude."""
    return name.removesuffix("location") + "lng" if name.endswith("location") else name


class ChannelForm(forms.Form):
    def service_data(self) -> dict:
        return dict(self.cleaned_data)

    def add_service_errors(self, exc) -> None:
        """Put a service ValidationError's messages on the fields they name (others on the form)."""
        for name, errors in exc.message_dict.items():
            name = _field_of(name)
            self.add_error(name if name in self.fields else None, errors)


class OpinionEntryForm(ChannelForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=OpinionChannel.choices)
    external_no = forms.CharField(label=_("Item number"), max_length=50)
    title = forms.CharField(label=_("Title"), max_length=200)
    content = _text_area(_("Content"))
    author = forms.CharField(label=_("Author"), max_length=50, required=False)
    submitted_at = forms.DateTimeField(label=_("Submitted at"), required=False)
    class_code = _class_field()
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    lng = forms.FloatField(label=_("Longitude"))
    lat = forms.FloatField(label=_("Latitude"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submitted_at", _now_text())


class ReplyForm(ChannelForm):
    reply = _text_area(_("Reply"), rows=4)
    replied_at = forms.DateTimeField(label=_("Replied at"), required=False, help_text=_("Empty: now."))


class ProblemForm(ChannelForm):
    description = _text_area(_("Problem found"), rows=2)
    class_code = _class_field()
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    lng = forms.FloatField(label=_("Longitude"))
    lat = forms.FloatField(label=_("Latitude"))


class InspectionEntryForm(ChannelForm):
    """The inspection and, optionally, the first problem found on it (more can be added on its page)."""

    inspector = forms.CharField(label=_("Inspector"), max_length=50)
    level = forms.ChoiceField(label=_("Level"), choices=InspectorLevel.choices)
    date = forms.DateField(label=_("Date"))
    route = forms.CharField(label=_("Route"), max_length=300)
    note = _text_area(_("Note"), required=False, rows=2)
    problem_description = _text_area(_("Problem found"), required=False, rows=2)
    problem_class_code = _class_field(required=False)
    problem_address = forms.CharField(label=_("Problem address"), max_length=200, required=False)
    problem_lng = forms.FloatField(label=_("Longitude"), required=False)
    problem_lat = forms.FloatField(label=_("Latitude"), required=False)

    PROBLEM_FIELDS = ("description", "class_code", "address", "lng", "lat")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate().isoformat())

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in ("inspector", "level", "date", "route", "note")}
        problem = {name: self.cleaned_data.get(f"problem_{name}") for name in self.PROBLEM_FIELDS}
        data["problems"] = [problem] if problem["description"] else []
        return data

    def add_service_errors(self, exc) -> None:
        for name, errors in exc.message_dict.items():
            if name.startswith("problems[0]."):
                name = "problem_" + name.removeprefix("problems[0].")
            name = _field_of(name)
            self.add_error(name if name in self.fields else None, errors)


class RectificationForm(ChannelForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    date = forms.DateField(label=_("Date"))
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.filter(is_active=True).order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    result = _text_area(_("Result"), required=False, rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate().isoformat())


class ChatReportEntryForm(ChannelForm):
    group = forms.CharField(label=_("Group"), max_length=100)
    reporter_handle = forms.CharField(label=_("Reporter handle"), max_length=100)
    message_at = forms.DateTimeField(label=_("Message time"))
    content = _text_area(_("Content"), required=False)
    screenshot = forms.FileField(label=_("Screenshot (JPEG, PNG or WebP)"), required=False)
    class_code = _class_field()
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    lng = forms.FloatField(label=_("Longitude"))
    lat = forms.FloatField(label=_("Latitude"))


class ScreenshotForm(ChannelForm):
    screenshot = forms.FileField(label=_("Screenshot (JPEG, PNG or WebP)"))


class CameraCaseForm(ChannelForm):
    """A case spotted on a camera; the capture time is filled when the form is shown, so a double submission
    raises the case once."""

    class_code = _class_field()
    captured_at = forms.DateTimeField(label=_("Captured at"))
    description = _text_area(_("Description"), required=False, rows=2)
    snapshot = forms.FileField(label=_("Snapshot (JPEG, PNG or WebP)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("captured_at", _now_text(seconds=True))
