"""Return visits (回访) answered by the reporter themselves, through the tracking link of a citizens' report.

The desk records a visit made by phone with ``perform(case_id, "revisit", operator, satisfaction=…)``. A citizen
has no account: the exchange layer's tracking link is their authority, so it calls ``revisit_by_reporter`` after
checking the link — the same action (the transition table's ``revisit``, its handler and its stage clock through
``apply_action``), the same lock, event and after-commit announcement as ``perform``, without a user to check.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from cases.exceptions import ActionNotAllowed
from cases.models import Case
from cases.services.transitions import apply_action
from cases.timeline import announcement, record_event
from cases.workflow import TRANSITIONS
from core import outbox


def revisit_by_reporter(case_id: int, satisfaction: str, *, opinion: str = "", at: datetime | None = None) -> Case:
    """Record the reporter's satisfaction on a closed case (不满意 reopens it, see ``_revisit``). Raises
    ActionNotAllowed when the case is not closed (already answered and still closed counts as answered: the caller
    shows that), ValidationError naming ``satisfaction``."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case_id)
        if case.status not in TRANSITIONS["revisit"].sources:
            raise ActionNotAllowed("revisit", case.status)
        now = at or timezone.now()
        params = {"satisfaction": satisfaction, "opinion": opinion, "channel": "public_link"}
        from_status, outcome = apply_action(case, "revisit", None, params, now)
        case.save()
        event = record_event(
            case, "revisit", None, from_status, case.status, opinion=opinion[:500], data=outcome.data, at=now
        )
        outbox.enqueue_many([*outcome.messages, *announcement(case.pk, event.pk)])
    return case
