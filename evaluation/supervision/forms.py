"""Console forms of supervision. They only parse the request; the rules live in ``services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.models import User
from evaluation.supervision.models import InspectionKind


def collectors():
    return User.objects.filter(role=Role.COLLECTOR, is_active=True).order_by("username")


class CollectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    team = forms.CharField(label=_("Inspection team"), max_length=50, initial="第一督察组")
    collector = CollectorChoiceField(label=_("Collector inspected"), queryset=User.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=InspectionKind.choices)
    grid_code = forms.CharField(label=_("Unit grid code"), max_length=20, required=False)
    case_no = forms.CharField(label=_("Case number (false or duplicate report)"), max_length=32, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    deduction = forms.DecimalField(label=_("Deduction (points)"), min_value=0, max_digits=6, decimal_places=2)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collector"].queryset = collectors()

    def clean_case_no(self):
        from cases.models import Case

        number = self.cleaned_data["case_no"].strip()
        if not number:
            return None
        case = Case.objects.filter(key__case_no=number).first()
        if case is None:
            raise forms.ValidationError(_("No case with this number."))
        return case


class ReversalForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class TrainingForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    topic = forms.CharField(label=_("Topic"), max_length=200)
    trainer = forms.CharField(label=_("Trainer"), max_length=100)
    passed = forms.ModelMultipleChoiceField(
        label=_("Passed"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    failed = forms.ModelMultipleChoiceField(
        label=_("Failed"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["passed"].queryset = collectors()
        self.fields["failed"].queryset = collectors()

    def clean(self):
        data = super().clean()
        both = set(data.get("passed") or []) & set(data.get("failed") or [])
        if both:
            raise forms.ValidationError({"failed": _("A collector either passed or failed.")})
        return data


class NewAssessmentForm(forms.Form):
    month = forms.DateField(
        label=_("Month"), input_formats=["%Y-%m", "%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "month"})
    )
    company = forms.CharField(label=_("Company"), max_length=100)


class FillForm(forms.Form):
    line = forms.IntegerField()
    value = forms.DecimalField(label=_("Value"), required=False, max_digits=7, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)


class CorrectionForm(forms.Form):
    """An administrator's correction: the correctable fields as they should be, and the reason."""

    kind = forms.ChoiceField(label=_("Kind"), choices=InspectionKind.choices)
    grid_code = forms.CharField(label=_("Unit grid code"), max_length=20, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    deduction = forms.DecimalField(label=_("Deduction (points)"), min_value=0, max_digits=6, decimal_places=2)
    reason = forms.CharField(label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 2}))
