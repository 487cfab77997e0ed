"""Writing the immutable timeline of a case."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from cases.models import Case, CaseEvent


def record_event(
    case: Case,
    action: str,
    actor,
    from_status: str,
    to_status: str,
    *,
    opinion: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """One row of the timeline: who (and in which role) did what, from which status to which, when and why."""
    return CaseEvent.objects.create(
        case=case,
        action=action,
        actor=actor,
        role=getattr(actor, "role", "") or "",
        from_status=from_status,
        to_status=to_status,
        at=at or timezone.now(),
        opinion=opinion,
        data=data or {},
    )
