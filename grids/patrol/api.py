"""Patrol API: the app's positions in, tracks and presence figures out.

``POST /api/v1/patrol/points/`` — the collector's own positions (``grids.report_track``).
``GET /api/v1/patrol/tracks/?date=&collector=`` — a day's tracks as GeoJSON lines, one per collector, simplified to
about two metres so that a day of 300 collectors stays small; ``GET /api/v1/patrol/figures/?date=&shift=`` — the
presence figures of ``figures.py``. Both need ``grids.view_patrol`` except for a collector's own track and figures.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.sanitize import date_out_of_window
from grids.models import DutyGrid
from grids.patrol.figures import figures, shift_window, whole_day
from grids.patrol.models import PatrolShift
from grids.patrol.services import MAX_POINTS, BadPoints, ingest

VIEW_PERMISSION = "grids.view_patrol"
SIMPLIFY_DEGREES = 0.00002  # about 2 m

_TRACKS_SQL = """
SELECT p.collector_id, count(*),
       ST_AsGeoJSON(ST_Simplify(ST_MakeLine(p.location ORDER BY p.recorded_at), %(tolerance)s), 6)
FROM grids_trackpoint p
WHERE p.recorded_at >= %(start)s AND p.recorded_at < %(end)s
  AND (%(collector)s::bigint IS NULL OR p.collector_id = %(collector)s)
GROUP BY p.collector_id
"""


class PatrolQuery(forms.Form):
    date = forms.DateField(required=False, input_formats=["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"])
    collector = forms.IntegerField(required=False, min_value=1, max_value=2**62)
    shift = forms.ModelChoiceField(queryset=PatrolShift.objects.filter(is_active=True), required=False)

    def clean_date(self):
        day = self.cleaned_data["date"] or timezone.localdate()
        problem = date_out_of_window(day)
        if problem:
            raise forms.ValidationError(problem)
        return day


def _query(request: Request) -> dict:
    form = PatrolQuery(request.query_params)
    if not form.is_valid():
        raise ValidationError({name: [str(e) for e in errors] for name, errors in form.errors.items()})
    values = form.cleaned_data
    user = request.user
    if not user.has_perm(VIEW_PERMISSION):
        if not user.has_perm("grids.report_track"):
            raise PermissionDenied(_("You may not see patrol tracks."))
        if values["collector"] not in (None, user.pk):
            raise PermissionDenied(_("A collector sees only their own track."))
        values["collector"] = user.pk
    return values


_PARAMETERS = [
    OpenApiParameter("date", OpenApiTypes.DATE, description="the day (China time); today if absent"),
    OpenApiParameter("collector", OpenApiTypes.INT, description="one collector's id"),
]


class PointsView(APIView):
    @extend_schema(
        summary="Send own patrol positions (巡查轨迹上报)",
        request=inline_serializer(
            "PatrolPoints",
            {
                "points": serializers.ListField(
                    child=inline_serializer(
                        "PatrolPoint",
                        {
                            "at": serializers.DateTimeField(),
                            "lat": serializers.FloatField(),
                            "lng": serializers.FloatField(),
                            "accuracy": serializers.FloatField(required=False, allow_null=True),
                        },
                    ),
                    max_length=MAX_POINTS,
                )
            },
        ),
        responses={
            200: inline_serializer(
                "PatrolStored", {"received": serializers.IntegerField(), "stored": serializers.IntegerField()}
            ),
            400: OpenApiResponse(description="A point is wrong: the error names points[i] and its field; none stored"),
            403: OpenApiResponse(description="The role sends no track"),
        },
    )
    def post(self, request: Request) -> Response:
        data = request.data
        points = data.get("points") if isinstance(data, dict) else None
        try:
            return Response(ingest(request.user, points))
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except BadPoints as exc:
            raise ValidationError(exc.errors) from exc


class TracksView(APIView):
    @extend_schema(
        summary="A day's patrol tracks (巡查轨迹)",
        parameters=_PARAMETERS,
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="GeoJSON FeatureCollection of LineStrings")},
    )
    def get(self, request: Request) -> Response:
        values = _query(request)
        start, end = whole_day(values["date"])
        names = dict(get_user_model().objects.values_list("pk", "username"))
        features = []
        with connection.cursor() as cursor:
            params = {"start": start, "end": end, "collector": values["collector"], "tolerance": SIMPLIFY_DEGREES}
            cursor.execute(_TRACKS_SQL, params)
            for collector_id, count, geometry in cursor.fetchall():
                features.append(
                    {
                        "type": "Feature",
                        "id": collector_id,
                        "geometry": json.loads(geometry),
                        "properties": {
                            "collector": collector_id,
                            "username": names.get(collector_id, ""),
                            "points": count,
                        },
                    }
                )
        return Response({"type": "FeatureCollection", "features": features})


def duty_collectors() -> list[int]:
    return sorted(
        set(DutyGrid.objects.filter(is_active=True, collectors__isnull=False).values_list("collectors", flat=True))
    )


class FiguresView(APIView):
    @extend_schema(
        summary="Presence figures per collector (在岗率、里程、巡查网格、信号中断)",
        parameters=[
            *_PARAMETERS,
            OpenApiParameter("shift", OpenApiTypes.INT, description="a shift's id; the whole day if absent"),
        ],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="{results: [...]}, one row per collector")},
    )
    def get(self, request: Request) -> Response:
        values = _query(request)
        shift = values["shift"]
        start, end = shift_window(shift, values["date"]) if shift else whole_day(values["date"])
        ids = [values["collector"]] if values["collector"] else duty_collectors()
        rows = figures(ids, start, end)
        return Response({"shift": shift.pk if shift else None, "results": [rows[pk].as_dict() for pk in ids]})
