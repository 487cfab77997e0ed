"""Which permissions each role's group carries.

Permissions are named as strings ("app_label.codename") so this bottom layer does not import the apps above it;
each app declares its own custom permissions on its models and lists them here for the roles that need them.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from core.choices import Role

VIEW_BASE_DATA = ["core.view_department", "core.view_calendarday", "core.view_workschedule"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COLLECTOR: [*VIEW_BASE_DATA],
    Role.OPERATOR: [*VIEW_BASE_DATA],
    Role.SHIFT_LEADER: [*VIEW_BASE_DATA],
    Role.DISPATCHER: [*VIEW_BASE_DATA],
    Role.HANDLER: [*VIEW_BASE_DATA],
    Role.SUPERVISOR: [*VIEW_BASE_DATA, "core.view_healthcheck"],
    Role.FINANCE: [*VIEW_BASE_DATA, "core.view_healthcheck"],
    Role.ADMIN: ["*"],  # every permission of every app
}


def sync_role_groups() -> None:
    """Create one group per role and give it exactly the permissions listed above (idempotent)."""
    all_perms = {
        f"{p.content_type.app_label}.{p.codename}": p for p in Permission.objects.select_related("content_type")
    }
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=str(role))
        wanted = list(all_perms.values()) if names == ["*"] else [all_perms[n] for n in names if n in all_perms]
        group.permissions.set(wanted)
