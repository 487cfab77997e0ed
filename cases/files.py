"""Case photos are served (core.files) to whoever may see their case: the same scope as the case pages."""

from __future__ import annotations

from core.files import register


def _visible_photos(user):
    from cases.models import Case, CasePhoto

    return CasePhoto.objects.filter(case__in=Case.objects.visible_to(user))


register("cases/", "cases.CasePhoto", "image", visible=_visible_photos)
