"""Role-aware navigation for the console's base layout."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (label, url name, permission needed or None). Later apps add their pages here.
NAVIGATION = [
    (_("Home"), "home", None),
    (_("Base map"), "grids:map", "grids.view_unitgrid"),
    (_("Patrol tracks"), "grids:patrol", "grids.view_patrol"),
    (_("Cases"), "cases:console", "cases.view_case"),
    (_("Hotline orders"), "hotlines:console", "hotlines.view_workorder"),
    (_("Bulletins"), "evaluation:bulletins", "evaluation.view_bulletin"),
    (_("Self-evaluation"), "evaluation:self_evaluations", "evaluation.view_selfevaluation"),
    (_("Hotspots"), "evaluation:hotspots", "evaluation.view_hotspots"),
    (_("Inspection records"), "evaluation:inspections", "evaluation.view_inspectionrecord"),
    (_("Company assessments"), "evaluation:assessments", "evaluation.view_assessment"),
    (_("Big screen"), "screen:page", "evaluation.view_big_screen"),
    (_("Big screen keys"), "screen:keys", "evaluation.manage_screen_keys"),
    (_("Audit log"), "core:audit_log", "core.view_auditentry"),
    # Only the roles that use the API themselves (the administrator: apps and integrations); the others work in
    # the console. core.change_user is a permission the administrator's role alone carries.
    (_("API docs"), "swagger-ui", "core.change_user"),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, url_name, perm in NAVIGATION:
        if perm and not user.has_perm(perm):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:  # a page of a layer not built yet
            continue
        items.append({"label": label, "url": url, "active": request.path == url})
    if user.is_staff:
        items.append({"label": _("Administration"), "url": reverse("admin:index"), "active": False})
    return {"nav_items": items, **_notifications(user)}


def _notifications(user) -> dict:
    """The unread count of the user's in-app notifications (站内消息) for the top bar."""
    from core.notifications import unread_count

    try:
        url = reverse("cases:notifications")  # core's page, mounted at its old address under /cases/
    except NoReverseMatch:
        url = ""
    return {"unread_notifications": unread_count(user), "notifications_url": url}
