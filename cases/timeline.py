"""The timeline of a case: writing its immutable rows (``CaseEvent``, the model is ``cases.models.events``), and
announcing each committed transition to the layers above.

Layers above cases (evaluation's per-case fact rows, for one) must not be imported from here, so they register a
listener in their AppConfig.ready(): ``cases.timeline.after_transition(callback)``. ``perform`` writes one outbox
message per transition in its transaction (``announcement``), so every listener hears ``(case_id, event_id)``
after the commit — never for a rolled-back action, and still after a crash or a failure: a failing listener never
undoes the transition; its message is retried (core/outbox.py) with every listener, which must be idempotent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from cases.choices import STAGE_ACTORS
from cases.models import Case, CaseEvent

logger = logging.getLogger(__name__)
Listener = Callable[[int, int], None]
_listeners: list[tuple[Listener, bool]] = []  # (listener, whether it hears new reports)
_quiet = threading.local()


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


def stage_actors_sql(where: str = "true") -> str:
    """The UPDATE that sets each case's stage actors (``cases.choices.STAGE_ACTORS``) from its timeline: the last
    actor of each stage's actions, newest first. ``apply_action`` keeps them live; this is for cases written around
    it: the migration that added the columns and the benchmarks' bulk loads. ``where``: a condition over the event
    ``e`` limiting the work, e.g. ``e.case_id = %s``."""
    quoted = {field: ", ".join(f"'{action}'" for action in actions) for field, actions in STAGE_ACTORS.items()}
    latest = ", ".join(
        f"(array_agg(e.actor_id ORDER BY e.at DESC, e.id DESC) FILTER (WHERE e.action IN ({names})))[1] AS {field}_id"
        for field, names in quoted.items()
    )
    assignments = ", ".join(f"{field}_id = a.{field}_id" for field in STAGE_ACTORS)
    return (
        f"UPDATE cases_case c SET {assignments} FROM (SELECT e.case_id, {latest} FROM cases_caseevent e "
        f"WHERE e.action IN ({', '.join(quoted.values())}) AND {where} GROUP BY e.case_id) a WHERE c.id = a.case_id"
    )


def after_transition(listener: Listener, *, reports: bool = True) -> Listener:
    """Register *listener(case_id, event_id)* to run after each committed transition. ``reports=False``: not for
    the "report" event that creates a case (intake's hot path then costs nothing more), for listeners that pick
    new cases up otherwise — the evaluation layer catches up on them every few seconds."""
    if all(known is not listener for known, _hears in _listeners):
        _listeners.append((listener, reports))
    return listener


def remove_listener(listener: Listener) -> None:
    _listeners[:] = [(known, hears) for known, hears in _listeners if known is not listener]


@contextmanager
def quiet() -> Iterator[None]:
    """Announce nothing while inside (bulk replays of history, whose caller rebuilds what listens afterwards).
    Commit the transaction inside the block: its ``on_commit`` announcements run at the commit."""
    previous = getattr(_quiet, "on", False)
    _quiet.on = True
    try:
        yield
    finally:
        _quiet.on = previous


def announcement(case_id: int, event_id: int) -> list[tuple[str, dict]]:
    """The outbox message that tells the listeners of a transition (none inside ``quiet()``)."""
    if getattr(_quiet, "on", False) or not _listeners:
        return []
    return [("cases.timeline.hear_transition", {"case_id": case_id, "event_id": event_id})]


class ListenerFailed(RuntimeError):
    pass


def hear_transition(case_id: int, event_id: int) -> None:
    """Outbox handler: run every listener; if one fails, raise so the whole announcement is retried (each
    listener runs in its own savepoint, so the others are not disturbed by a broken transaction)."""
    failed = []
    for listener, _hears_reports in list(_listeners):
        try:
            with transaction.atomic():
                listener(case_id, event_id)
        except Exception:
            logger.exception("Transition listener %r failed for case %s, event %s", listener, case_id, event_id)
            failed.append(repr(listener))
    if failed:
        raise ListenerFailed(f"listeners failed for case {case_id}, event {event_id}: {', '.join(failed)}")


def announce(case_id: int, event_id: int, *, report: bool = False) -> None:
    """Run the listeners that hear new reports (intake, after its commit). Intake writes no outbox row: its
    listeners are the catch-up kind (``reports=False``), so this is normally a no-op
    (README: Security and operations)."""
    if getattr(_quiet, "on", False):
        return
    for listener, hears_reports in list(_listeners):
        if report and not hears_reports:
            continue
        try:
            listener(case_id, event_id)
        except Exception:
            logger.exception("Transition listener %r failed for case %s, event %s", listener, case_id, event_id)
