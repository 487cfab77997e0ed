"""Inspection evidence photos are served (core.files) to whoever may see their record: inspectors and supervisors
all of them, a collector those of the records about themselves."""

from __future__ import annotations

from core.files import register


def _visible_photos(user):
    from evaluation.supervision.models import InspectionPhoto
    from evaluation.supervision.services import visible_records

    return InspectionPhoto.objects.filter(record__in=visible_records(user))


register("inspections/", "evaluation.InspectionPhoto", "image", visible=_visible_photos)
