"""Permission checks shared by views and API endpoints of every app.

Access is decided by Django permissions (carried by each role's group, see core.roles), never by comparing role
names in views. Role names only decide *which rows* a user sees (scoping querysets), in one method per model.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class HasPermissions(BasePermission):
    """DRF permission: the user holds every permission in ``view.required_permissions``
    (or, per action, ``view.action_permissions[action]``)."""

    message = _("Your role does not have permission to do this.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        per_action = getattr(view, "action_permissions", {})
        action = getattr(view, "action", None)
        needed = per_action.get(action, getattr(view, "required_permissions", ()))
        return user.has_perms(needed)
