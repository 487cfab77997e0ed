"""Console forms for case actions: one form per kind of action, chosen from the transition table.

Each form's field names are exactly the parameter names ``cases.services.transitions.perform`` takes, so a
``ValidationError`` the service raises (a dict keyed by parameter) lands on the right field. The forms only collect
and pre-check input; whether the user may act and whether the case's state allows it is the service's decision.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from cases.choices import TERMINAL_STATUSES, RequestKind, RequestStatus, Satisfaction
from cases.models import Case
from cases.workflow import TRANSITIONS, Transition
from core.choices import Role, TimeUnit
from core.models import Department, User
from core.uploads import MAX_PHOTOS
from grids.models import FilingCondition

YES_NO = [("true", _("Yes")), ("false", _("No"))]
# Actions that end or refuse a case: their buttons are drawn in red.
DANGEROUS_ACTIONS = frozenset({"reject", "refuse", "approve_cancel", "merge", "request_cancel"})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); cleaned to a list."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(count)d photos.") % {"count": MAX_PHOTOS})
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ActionForm(forms.Form):
    """An action with nothing to say but an optional opinion (意见): accept, sign, close, urge, approvals…"""

    opinion = forms.CharField(label=_("Opinion"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2}))
    photo_kind: str | None = None  # forms that take photos say which kind (cases.choices.PhotoKind)

    def __init__(self, *args, case: Case, user: User, transition: Transition, **kwargs) -> None:
        self.case, self.user, self.transition = case, user, transition
        kwargs.setdefault("prefix", transition.action)
        super().__init__(*args, **kwargs)

    @property
    def action(self) -> str:
        return self.transition.action

    @property
    def label(self) -> str:
        return self.transition.label

    @property
    def dangerous(self) -> bool:
        return self.action in DANGEROUS_ACTIONS

    @property
    def takes_files(self) -> bool:
        return any(isinstance(field, forms.FileField) for field in self.fields.values())

    def params(self) -> dict[str, Any]:
        """Keyword parameters for ``perform``: model choices as primary keys, photos left out (see ``photos``)."""
        params: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if name == "photos" or value in (None, ""):
                continue
            params[name] = value.pk if isinstance(value, Model) else value
        return params

    def photos(self) -> list:
        return self.cleaned_data.get("photos") or []


class OpinionRequiredForm(ActionForm):
    """Refusals and decisions that must say why: 不予受理, 不予立案."""

    opinion = forms.CharField(label=_("Opinion"), max_length=2000, widget=forms.Textarea({"rows": 2}))


class DisposeForm(OpinionRequiredForm):
    """处置反馈: what was done, with after-photos."""

    photos = MultipleFileField(label=_("After-disposal photos"), required=False)
    photo_kind = "after"


class ReasonForm(ActionForm):
    """Applications (回退, 挂账, 作废) state a reason."""

    opinion = None
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea({"rows": 2}))


class ExtensionForm(ReasonForm):
    """申请延期: how much more time, and why."""

    value = forms.DecimalField(
        label=_("Extension length"), min_value=0.01, max_value=1000, max_digits=7, decimal_places=2, initial=1
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=TimeUnit.choices, initial=TimeUnit.WORK_DAYS)
    field_order = ["value", "unit", "reason"]

    def params(self) -> dict[str, Any]:
        params = super().params()
        params["value"] = str(params["value"])
        return params


class CollectorForm(ActionForm):
    """派核实 / 派核查: which field collector goes to look."""

    collector = forms.ModelChoiceField(label=_("Field collector"), queryset=User.objects.none())
    field_order = ["collector", "opinion"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collector"].queryset = User.objects.filter(role=Role.COLLECTOR, is_active=True).order_by(
            "username"
        )
        self.fields["collector"].label_from_instance = lambda u: u.get_full_name() or u.username


class VerifyForm(ActionForm):
    """核实: is the reported problem really there?"""

    verified = forms.ChoiceField(label=_("Problem confirmed on site"), choices=YES_NO, initial="true")
    field_order = ["verified", "opinion"]


class RevisitForm(ActionForm):
    """回访: the reporter's satisfaction, asked by phone; 不满意 reopens the case for the centre's check."""

    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices)
    field_order = ["satisfaction", "opinion"]


class CheckForm(ActionForm):
    """核查: did the department fix it? A failed check sends the case back for rework and must say why."""

    passed = forms.ChoiceField(label=_("Check passed"), choices=YES_NO, initial="true")
    field_order = ["passed", "opinion"]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("passed") == "false" and not data.get("opinion"):
            self.add_error("opinion", _("Say what must be reworked."))
        return data


class RegisterForm(ActionForm):
    """立案: against which filing condition (立案条件) of the case's class; it fixes the disposal time limit."""

    condition = forms.ModelChoiceField(
        label=_("Filing condition"), queryset=FilingCondition.objects.none(), empty_label=None
    )
    field_order = ["condition", "opinion"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["condition"]
        field.queryset = FilingCondition.objects.filter(minor_class_id=self.case.minor_class_id, is_active=True)
        field.label_from_instance = lambda c: (
            f"{c.description}（{c.limit_value.normalize():f} {c.get_limit_unit_display()}）"
        )
        if self.case.condition_id:
            field.initial = self.case.condition_id


class DispatchForm(ActionForm):
    """派遣: to which department; the suggestion (派遣建议) is preselected."""

    department = forms.ModelChoiceField(label=_("Disposal department"), queryset=Department.objects.none())
    field_order = ["department", "opinion"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("name")
        suggested = self.case.suggested_department_id
        if suggested is None:
            from cases.suggest import suggest_department

            suggested = getattr(suggest_department(self.case), "pk", None)
        self.fields["department"].initial = suggested


class ForwardForm(ActionForm):
    """二级派遣: to which sub-unit of the department holding the case."""

    department = forms.ModelChoiceField(label=_("Sub-unit"), queryset=Department.objects.none())
    field_order = ["department", "opinion"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from core.departments import department_subtree

        held_by = self.case.department
        ids = department_subtree(held_by) if held_by else []
        self.fields["department"].queryset = (
            Department.objects.filter(pk__in=ids, is_active=True).exclude(pk=self.case.department_id).order_by("name")
        )


class MergeForm(ActionForm):
    """合并重复案件: into which earlier open case of the same class (by case number)."""

    original = forms.ModelChoiceField(
        label=_("Original case number"),
        queryset=Case.objects.none(),
        to_field_name="case_no",
        widget=forms.TextInput({"placeholder": "20261122-00001"}),
        error_messages={"invalid_choice": _("No open case of the same class has this number.")},
    )
    field_order = ["original", "opinion"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["original"].queryset = (
            Case.objects.visible_to(self.user)
            .filter(minor_class_id=self.case.minor_class_id, merged_into__isnull=True)
            .exclude(status__in=[s.value for s in TERMINAL_STATUSES])
            .exclude(pk=self.case.pk)
        )


class CancelDecisionForm(ActionForm):
    """同意作废: a shift leader cancelling without a pending application must say why."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        pending = self.case.requests.filter(kind=RequestKind.CANCEL, status=RequestStatus.PENDING).exists()
        self.fields["opinion"].required = not pending


FORM_CLASSES: dict[str, type[ActionForm]] = {
    "send_verify": CollectorForm,
    "send_check": CollectorForm,
    "verify": VerifyForm,
    "check": CheckForm,
    "revisit": RevisitForm,
    "reject": OpinionRequiredForm,
    "refuse": OpinionRequiredForm,
    "register": RegisterForm,
    "dispatch": DispatchForm,
    "forward": ForwardForm,
    "dispose": DisposeForm,
    "merge": MergeForm,
    "request_return": ReasonForm,
    "request_suspension": ReasonForm,
    "request_cancel": ReasonForm,
    "request_extension": ExtensionForm,
    "approve_cancel": CancelDecisionForm,
}
assert set(FORM_CLASSES) <= set(TRANSITIONS), "forms only for actions of the transition table"


def action_form(action: str, case: Case, user: User, data=None, files=None) -> ActionForm:
    """The form for *action* on *case* (unbound without *data*)."""
    transition = TRANSITIONS[action]
    form_class = FORM_CLASSES.get(action, ActionForm)
    return form_class(data, files, case=case, user=user, transition=transition)
