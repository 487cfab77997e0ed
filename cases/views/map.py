"""案件地图 in the console: the open cases the user may see on a map, coloured by their traffic lights, with the
queue filters; the points come from the API's ``cases/map/`` endpoint for each view."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.models import Case
from cases.views.console import console_filterset


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_GET
def case_map(request: HttpRequest) -> HttpResponse:
    filterset = console_filterset(request, Case.objects.none())
    config = {
        "casesUrl": reverse("case-map"),
        "detailText": _("Open the case"),
        "truncatedText": _("Only the most recent cases are shown: zoom in or filter."),
        "countText": _("%(count)s cases in view"),
    }
    return render(request, "cases/map.html", {"filterset": filterset, "map_config": config})
