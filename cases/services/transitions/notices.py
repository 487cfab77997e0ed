"""Notifications an action leaves for after its commit, through the outbox."""

from __future__ import annotations

from cases.models import Case
from core.workflow import Outcome


def notify_later(
    outcome: Outcome, case: Case, department_id: int | None, kind: str, message, key: str, permission="", **values
):
    """Notify the department's handlers (and/or the holders of *permission*) through the outbox: a rolled-back
    action tells nobody, a committed one tells them once even if the process dies right after the commit."""
    from cases.notifications import case_url
    from core.notifications import render

    text = render(message, case_no=case.case_no, **values)
    outcome.messages.append(
        (
            "cases.notifications.deliver",
            {"kind": kind, "message": text, "url": case_url(case.pk), "dedupe_key": key, "department": department_id}
            | ({"permission": permission} if permission else {}),
        )
    )
