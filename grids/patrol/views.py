"""巡查轨迹 /map/patrol/: a day's tracks on the map with the duty grids, and each collector's presence figures.

The page carries the duty grids' outlines and the query; tracks and figures come from the patrol API
(``grids/patrol/api.py``), so the page and the API cannot disagree.
"""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.gis.db.models import Union
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from grids.models import DutyGrid
from grids.patrol.api import VIEW_PERMISSION, PatrolQuery, duty_collectors
from grids.patrol.models import PatrolShift


def _duty_outlines() -> dict:
    """Each active duty grid with collectors as one outline (the union of its unit grids), as GeoJSON."""
    rows = (
        DutyGrid.objects.filter(is_active=True, collectors__isnull=False)
        .distinct()
        .annotate(outline=AsGeoJSON(Union("unit_grids__geometry"), precision=6))
        .values("id", "code", "name", "outline")
    )
    collectors: dict[int, list[int]] = {}
    for grid_id, user_id in DutyGrid.collectors.through.objects.values_list("dutygrid_id", "user_id"):
        collectors.setdefault(grid_id, []).append(user_id)
    features = [
        {
            "type": "Feature",
            "geometry": json.loads(row["outline"]),
            "properties": {"code": row["code"], "name": row["name"], "collectors": collectors.get(row["id"], [])},
        }
        for row in rows
        if row["outline"]
    ]
    return {"type": "FeatureCollection", "features": features}


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
@require_GET
def patrol_page(request: HttpRequest) -> HttpResponse:
    form = PatrolQuery(request.GET)
    valid = form.is_valid()
    values = form.cleaned_data if valid else {"date": timezone.localdate(), "collector": None, "shift": None}
    people = get_user_model().objects.filter(pk__in=duty_collectors()).order_by("username")
    config = {
        "tracksUrl": reverse("patrol-tracks"),
        "figuresUrl": reverse("patrol-figures"),
        "date": values["date"].isoformat(),
        "collector": values["collector"],
        "shift": values["shift"].pk if values["shift"] else None,
        "duty": _duty_outlines(),
        "names": {p.pk: p.get_full_name() or p.username for p in people},
        "text": {
            "noTrack": _("No position on this day."),
            "loadFailed": _("Could not load the tracks. Please try again."),
        },
    }
    context = {
        "form": form,
        "errors": form.errors if not valid else None,
        "values": values,
        "shifts": PatrolShift.objects.filter(is_active=True),
        "people": people,
        "patrol_config": config,
    }
    return render(request, "grids/patrol.html", context)
