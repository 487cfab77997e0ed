"""案件详情: a case's attributes, timeline, photos and map, and the forms of the actions its viewer may take now.

Actions are POSTed to ``act``, which hands them to ``cases.services.transitions.perform`` and never writes a status
itself. The service's refusals map to HTTP statuses: a case the user may not see → 404, an action their role or
department may not take → 403, a state that does not allow it → 409, bad input → 400 with the form's errors.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.choices import RequestStatus
from cases.deadlines import traffic_light
from cases.duplicates import duplicate_candidates
from cases.exceptions import ActionForbidden, ActionNotAllowed, CaseNotFound
from cases.forms import ActionForm, action_form
from cases.models import Case
from cases.photos import save_photos
from cases.services import available_actions, perform
from cases.workflow import TRANSITIONS
from core.uploads import check_photos, remove_files

NEARBY_COMPONENTS_M = 100  # what the map shows around the case: the component at fault is usually within a few metres
NEARBY_COMPONENTS_MAX = 60


def _visible_case(user, pk: int) -> Case:
    try:
        return (
            Case.objects.visible_to(user)
            .select_related(
                "minor_class__major",
                "condition",
                "component",
                "grid",
                "reporter",
                "department",
                "suggested_department",
                "assigned_collector",
                "merged_into",
            )
            .get(pk=pk)
        )
    except Case.DoesNotExist:
        raise Http404(_("No such case.")) from None


def _map_data(case: Case, user) -> dict:
    """The case point, its unit grid and the components near it, for the Leaflet map (GeoJSON, lng/lat order)."""
    data: dict = {"point": [case.location.x, case.location.y], "grid": None, "components": []}
    if case.grid_id and case.grid is not None:
        data["grid"] = {
            "type": "Feature",
            "geometry": json.loads(case.grid.geometry.geojson),
            "properties": {"code": case.grid.code, "name": case.grid.name},
        }
    if user.has_perm("grids.view_component"):
        from grids.spatial import components_near

        nearby = components_near(case.location.x, case.location.y, NEARBY_COMPONENTS_M).select_related("minor_class")
        data["components"] = [
            {
                "lng": c.location.x,
                "lat": c.location.y,
                "identifier": c.identifier,
                "name": c.name or c.minor_class.name,
                "class": f"{c.minor_class.code} {c.minor_class.name}",
                "status": c.get_status_display(),
                "distance": round(c.distance_m, 1),
                "linked": c.pk == case.component_id,
            }
            for c in nearby[:NEARBY_COMPONENTS_MAX]
        ]
    return data


def _timeline(case: Case) -> list:
    """The case's events for the timeline partial (``core/_timeline.html``), with their actors and photos."""
    return list(case.events.select_related("actor").prefetch_related("photos"))


def _render_detail(
    request: HttpRequest, case: Case, bound: ActionForm | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    user = request.user
    forms = [
        bound if bound is not None and bound.action == t.action else action_form(t.action, case, user)
        for t in available_actions(case, user)
    ]
    can_merge = any(form.action == "merge" for form in forms)
    duplicates = list(duplicate_candidates(case, among=Case.objects.visible_to(user))[:10]) if can_merge else []
    suggested = case.suggested_department
    if suggested is None and case.department_id is None and case.is_open:  # before registration: a preview
        from cases.suggest import suggest_department

        suggested = suggest_department(case)
    context = {
        "case": case,
        "light": traffic_light(case),
        "timeline": _timeline(case),
        "photos": list(case.photos.all()),
        "pending_requests": list(case.requests.filter(status=RequestStatus.PENDING).select_related("requested_by")),
        "forms": [f for f in forms if f.action != "merge"],
        "merge_form": next((f for f in forms if f.action == "merge"), None),
        "duplicates": duplicates,
        "suggested": suggested,
        "map_data": _map_data(case, user),
        "error": error,
    }
    return render(request, "cases/detail.html", context, status=status)


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _visible_case(request.user, pk))


def _apply_service_errors(form: ActionForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Apply one action from its form through ``perform``; back to the case page on success."""
    if action not in TRANSITIONS:
        raise Http404(_("No such action."))
    case = _visible_case(request.user, pk)
    form = action_form(action, case, request.user, request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, case, bound=form, status=400)
    saved_photos: list = []
    try:
        with transaction.atomic():
            if form.photo_kind and form.photos():
                saved_photos = save_photos(case, check_photos(form.photos(), field="photos"), form.photo_kind)
            perform(case.pk, action, request.user, photo_ids=[p.pk for p in saved_photos], **form.params())
    except CaseNotFound:
        remove_files(saved_photos)
        raise Http404(_("No such case.")) from None
    except ActionForbidden as exc:
        remove_files(saved_photos)
        raise PermissionDenied(str(exc)) from None
    except ActionNotAllowed:
        remove_files(saved_photos)
        case = _visible_case(request.user, pk)
        message = _("This action is not possible now: the case is “%(status)s”.") % {
            "status": case.get_status_display()
        }
        return _render_detail(request, case, error=message, status=409)
    except ValidationError as exc:
        remove_files(saved_photos)
        _apply_service_errors(form, exc)
        return _render_detail(request, case, bound=form, status=400)
    messages.success(request, _("%(action)s: done for case %(case)s.") % {"action": form.label, "case": case.case_no})
    return redirect("cases:detail", pk=case.pk)
