"""Component photos are served through core.files to whoever may read the component inventory."""

from __future__ import annotations

from core.files import register


def _visible_component_photos(user):
    from grids.models import Component

    if user.has_perm("grids.view_component"):
        return Component.objects.exclude(photo="")
    return Component.objects.none()


register("components/", "grids.Component", "photo", visible=_visible_component_photos)
