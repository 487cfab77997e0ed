"""The console's filter form: the shared ``CaseFilterSet`` drawn with pickers people can use, and the JSON the
street → community → grid cascade reads.

The parameters stay those of the API (codes and ids), only their widgets change here: the department as a select
with sub-units indented under their parent (``core.filters.DepartmentTreeField``), street → community → grid as
selects that narrow each other (codes nest by prefix: static/core/filters.js hides the communities of other streets
and loads a community's grids from ``grids.json``), the class as a major → minor picker with a search box (minor
classes grouped by standard and major class), dates as text with a calendar button (2026/12/02 typed works as well),
overdue as all / yes / no. ``filter_errors`` turns an invalid form into messages naming each field, which the page
shows instead of an empty queue.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from core.widgets import PlainSelect

FILTER_LABELS = {
    "q": _("Search (number, description, address)"),
    "status": _("Status"),
    "class_code": _("Class"),
    "grid": _("Unit grid"),
    "street": _("Street"),
    "community": _("Community"),
    "department": _("Department"),
    "source": _("Source"),
    "overdue": _("Overdue"),
    "kind": _("Kind"),
    "received": _("Received"),
    "dispatched": _("Dispatched"),
    "disposed": _("Disposed"),
    "closed": _("Closed"),
    "turns_yellow": _("Turns yellow within the next working hour"),
    "due_within": _("Due within (working hours)"),
    "mine": _("Mine"),
}


def _regions(level: str) -> list[tuple[str, str]]:
    from grids.models import Region

    return list(Region.objects.filter(level=level).order_by("code").values_list("code", "name"))


_class_groups_cache: dict[tuple[int, str], list] = {}


def _class_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Active minor classes grouped by standard and major class: (group label, [(code, "code name")]).

    Kept per process under the taxonomy's version (every class edit bumps it) and the language; with Redis down
    (version 0) read every time."""
    from django.utils.translation import get_language

    from grids.choices import ClassKind
    from grids.models import MinorClass
    from grids.taxonomy import taxonomy_version

    key = (taxonomy_version(), get_language() or "")
    if key[0] and key in _class_groups_cache:
        return _class_groups_cache[key]
    groups: dict[str, list[tuple[str, str]]] = {}
    rows = (
        MinorClass.objects.filter(is_active=True)
        .order_by("-standard__is_default", "standard__code", "kind", "major__code", "code")
        .values_list("standard__code", "kind", "major__code", "major__name", "code", "name")
    )
    for standard, kind, major_code, major_name, code, name in rows:
        label = f"{standard} · {ClassKind(kind).label} {major_code} {major_name}"
        groups.setdefault(label, []).append((code, f"{code} {name}"))
    result = list(groups.items())
    if key[0]:
        if len(_class_groups_cache) > 16:  # old versions
            _class_groups_cache.clear()
        _class_groups_cache[key] = result
    return result


def _with_current(choices: list, value: str, blank) -> list:
    """The choices with a blank first, and the current value kept even when it is not among them (a code typed
    into the URL still filters, and shows)."""
    flat = {c for c, _label in choices if not isinstance(_label, list)}
    flat |= {c for _g, group in choices if isinstance(group, list) for c, _l in group}
    extra = [(value, value)] if value and value not in flat else []
    return [("", blank), *extra, *choices]


def decorate(filterset) -> None:
    """Labels and pickers for the console's form of a ``CaseFilterSet`` (or a FilterSet with some of its fields)."""
    data = filterset.data
    fields = filterset.form.fields
    for name, field in fields.items():
        if name in FILTER_LABELS:
            field.label = FILTER_LABELS[name]
        field.required = False
    if "street" in fields:
        fields["street"].widget = PlainSelect(
            choices=_with_current(_regions("street"), data.get("street", ""), _("All streets")),
            attrs={"data-cascade": "street"},
        )
    if "community" in fields:
        fields["community"].widget = PlainSelect(
            choices=_with_current(_regions("community"), data.get("community", ""), _("All communities")),
            attrs={"data-cascade": "community"},
        )
    if "grid" in fields:
        from grids.models import UnitGrid

        community, grid = data.get("community", ""), data.get("grid", "")
        grids = []
        if community:
            grids = list(
                UnitGrid.objects.filter(community__code=community, valid_to__isnull=True)
                .order_by("code")
                .values_list("code", "name")
            )
        fields["grid"].widget = PlainSelect(
            choices=_with_current(grids, grid, _("All unit grids")),
            attrs={"data-cascade": "grid", "data-url": _grids_url()},
        )
    if "class_code" in fields:
        fields["class_code"].widget = PlainSelect(
            choices=_with_current(_class_groups(), data.get("class_code", ""), _("All classes")),
            attrs={
                "data-class-picker": "",
                "data-search-label": _("Search classes by name or code"),
                "data-major-label": _("All major classes"),
            },
        )
    for name in ("department", "overdue", "kind", "mine"):  # the other selects too: one way of drawing a select
        if name in fields and type(fields[name].widget) is forms.Select:
            widget = fields[name].widget
            fields[name].widget = PlainSelect(attrs=widget.attrs, choices=widget.choices)
    if "due_within" in fields:
        fields["due_within"].widget = forms.NumberInput(attrs={"min": 0, "step": "any", "placeholder": "4"})


def _grids_url() -> str:
    from django.urls import reverse

    return reverse("cases:filter_grids")


def filter_errors(filterset) -> list[dict]:
    """The invalid filters, each with its label and messages: what the page shows instead of an empty list."""
    form = filterset.form
    errors = []
    for name, messages in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else name
        errors.append({"name": name, "label": label, "messages": [str(m) for m in messages]})
    return errors


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_GET
def grids_json(request: HttpRequest) -> JsonResponse:
    """The current unit grids of one community (``?community=`` 12-digit code), for the cascade's grid select."""
    from grids.models import UnitGrid

    community = request.GET.get("community", "")
    if not community.isdigit() or len(community) != 12:
        return JsonResponse({"community": ["A 12-digit community code is required."]}, status=400)
    grids = UnitGrid.objects.filter(community__code=community, valid_to__isnull=True).order_by("code")
    return JsonResponse({"grids": [{"code": code, "name": name} for code, name in grids.values_list("code", "name")]})
