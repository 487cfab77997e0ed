"""The case layer's side of in-app notifications (站内消息; the machinery is ``core.notifications``): the page a
case notification opens, and the outbox handler that the case and hotline services' queued notices name.

Recipients are chosen by permission: a department's people are its members who dispose of what is sent to it
(``cases.dispose_case``), the others the holders of the permission a notice names.
"""

from __future__ import annotations

from core.notifications import notify, users_with_permission

# Who in a department hears of what is sent to it: the members who may dispose of it (the department's handlers).
DEPARTMENT_HANDLERS = "cases.dispose_case"


def case_url(case_id: int) -> str:
    """The console page of a case (the link a notification opens)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("cases:detail", args=[case_id])
    except NoReverseMatch:  # the console is not mounted (e.g. an API-only deployment)
        return ""


def deliver(
    kind: str, message: str, url: str = "", dedupe_key: str = "", department: int | None = None, permission: str = ""
) -> int:
    """Outbox handler (core/outbox.py): notify the handlers of *department* and/or the active holders of
    *permission* (``app_label.codename``), resolved when delivered; the dedupe key makes a re-run harmless. Rows
    already queued name this function, so it keeps its name and arguments."""
    users: list = list(users_with_permission(DEPARTMENT_HANDLERS, department)) if department is not None else []
    if permission:
        users += users_with_permission(permission)
    return notify(users, kind, message, url, dedupe_key)
