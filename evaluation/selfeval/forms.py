"""Forms of the finance page: header and texts, the four funds rows, the indicator rows, a new evaluation, import."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from core.spreadsheets.forms import SpreadsheetField
from evaluation.models.selfeval import Direction, FundsRow, Project, ProjectKind, ScoreMode, SelfEvaluation
from evaluation.selfeval import layout as L
from evaluation.selfeval import services

DECIMAL = {"required": False, "max_digits": 18, "decimal_places": 6}


class HeaderForm(forms.ModelForm):
    class Meta:
        model = SelfEvaluation
        fields = [*services.HEADER_FIELDS, *services.SETTING_FIELDS, *services.TEXT_FIELDS]
        widgets = {
            "filled_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **{f: forms.Textarea(attrs={"rows": 3}) for f in services.TEXT_FIELDS},
        }


class FundsForm(forms.Form):
    initial_budget = forms.DecimalField(label=_("initial budget (10k yuan)"), min_value=0, **DECIMAL)
    adjusted_budget = forms.DecimalField(label=_("full-year budget (10k yuan)"), min_value=0, **DECIMAL)
    executed = forms.DecimalField(label=_("executed (10k yuan)"), min_value=0, **DECIMAL)


class IndicatorForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    delete = forms.BooleanField(label=_("Delete"), required=False)
    level1 = forms.CharField(label=_("level-1 indicator"), max_length=50, required=False)
    level2 = forms.CharField(label=_("level-2 indicator"), max_length=50, required=False)
    name = forms.CharField(label=_("indicator"), max_length=200, required=False)
    direction = forms.ChoiceField(label=_("direction"), choices=Direction.choices, initial=Direction.AT_LEAST)
    target_value = forms.DecimalField(label=_("target value"), required=False, max_digits=16, decimal_places=4)
    target_text = forms.CharField(label=_("target (text)"), max_length=200, required=False)
    unit = forms.CharField(label=_("unit of measure"), max_length=20, required=False)
    actual_value = forms.DecimalField(label=_("actual value"), required=False, max_digits=16, decimal_places=4)
    actual_text = forms.CharField(label=_("actual (text)"), max_length=200, required=False)
    metric_key = forms.ChoiceField(label=_("system metric"), required=False)
    weight = forms.DecimalField(label=_("weight"), required=False, max_digits=6, decimal_places=2)
    inapplicable = forms.BooleanField(label=_("inapplicable"), required=False)
    score_mode = forms.ChoiceField(label=_("scoring"), choices=ScoreMode.choices, initial=ScoreMode.RULE)
    manual_score = forms.DecimalField(label=_("manual score"), required=False, max_digits=7, decimal_places=2)
    manual_reason = forms.CharField(
        label=_("reason for the manual score"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    deviation = forms.CharField(
        label=_("deviation analysis and measures"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric_key"].choices = [("", _("typed in")), *services.metric_choices()]

    def has_content(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("id") or data.get("name") or data.get("level1") or data.get("weight") is not None)

    def clean(self):
        data = super().clean()
        if data.get("delete") or not self.has_content():
            return data
        for field, message in services.indicator_errors(data).items():
            self.add_error(field if field in self.fields else None, message)
        return data


IndicatorFormSet = formset_factory(IndicatorForm, extra=1)
ReadOnlyIndicatorFormSet = formset_factory(IndicatorForm, extra=0)  # for readers: no blank row to add


def trim(value):
    """A Decimal without trailing zeros for the form (100.000000 → 100), anything else as it is."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        text = f"{value:f}"
        return Decimal(text.rstrip("0").rstrip(".") if "." in text else text)
    return value


def funds_forms(evaluation: SelfEvaluation | None, data=None) -> dict[str, FundsForm]:
    lines = {line.row: line for line in evaluation.funds.all()} if evaluation else {}
    forms_by_row = {}
    for row in FundsRow:
        line = lines.get(row)
        initial = {f: trim(getattr(line, f)) for f in services.FUNDS_AMOUNTS} if line else {}
        forms_by_row[row.value] = FundsForm(data, prefix=f"funds-{row.value}", initial=initial)
    return forms_by_row


def indicator_initial(indicators) -> list[dict]:
    fields = list(services.INDICATOR_FIELDS)
    return [{"id": i.pk, **{f: trim(getattr(i, f)) for f in fields}} for i in indicators]


class NewEvaluationForm(forms.Form):
    """A new year: for an existing project, or a new project named here."""

    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    project = forms.ModelChoiceField(label=_("project"), queryset=Project.objects.all(), required=False)
    new_project_name = forms.CharField(label=_("new project"), max_length=200, required=False)
    new_project_kind = forms.ChoiceField(label=_("kind"), choices=ProjectKind.choices, required=False)
    new_project_unit = forms.CharField(label=_("implementing unit"), max_length=200, required=False)
    new_project_department = forms.CharField(label=_("competent department"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("project"):
            if not data.get("new_project_name"):
                self.add_error("project", _("Choose a project or name a new one."))
            if not data.get("new_project_unit"):
                self.add_error("new_project_unit", _("A new project needs its implementing unit."))
        return data


class ImportForm(forms.Form):
    workbook = SpreadsheetField(label=_("Filled workbook (.xlsx)"), limits=L.UPLOAD_LIMITS)
