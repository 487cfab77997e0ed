"""State changes of cases. Views, API endpoints and Celery tasks call these functions; none writes a status itself.

This package's public surface: other modules import from ``cases.services`` (``from cases.services import perform``),
not from its sub-modules, which may be reorganised. The names, by the module that implements them:

cases.services.intake (intake: reports from the field and other channels)
    report_case(*, reporter, class_code, lat, lng, kind=None, client_uuid=None, condition_id=None, address="",
                description="",
                component_identifier=None, reported_at=None, source=CaseSource.COLLECTOR, urgency=None,
                photos=(), hotline_ref=None) -> tuple[Case, bool]
        Creates a case in REPORTED (or SELF_DISPOSED for source=self_disposal), or returns the existing one for a
        repeated client_uuid (created=False). Raises django ValidationError with a dict naming the field.
    report_batch(*, reporter, items: list[dict]) -> list[dict]   per-item {status: created|exists|error, ...}

cases.services.transitions (every workflow action of cases.workflow.TRANSITIONS)
    perform(case_id: int, action: str, actor, **params) -> Case
        The one entry point: looks the action up in the transition table, checks the actor's permission (403),
        visibility (404) and the case's state (409), locks the row (select_for_update), applies the action, writes
        one CaseEvent, and queues side effects with transaction.on_commit.
    Errors: CaseNotFound (→ 404), ActionForbidden (→ 403), ActionNotAllowed(current_status) (→ 409),
            django ValidationError naming the parameter (→ 400).
    available_actions(case, user) -> list[Transition]   what this user may do with this case now.

cases.services.visits
    revisit_by_reporter(case_id, satisfaction, *, opinion="") -> Case   the reporter's own 回访 (tracking link)

cases.timeline
    record_event(case, action, actor, from_status, to_status, *, opinion="", data=None, at=None) -> CaseEvent

cases.deadlines
    stage_deadline(stage: Stage, start: datetime, *, case=None) -> datetime | None
    traffic_light(case, now=None) -> TrafficLight | None
"""

from cases.services.intake import MAX_BATCH, REPORT_FIELDS, clear_class_cache, client_sources, report_batch, report_case
from cases.services.transitions import apply_action, available_actions, perform
from cases.services.visits import revisit_by_reporter

__all__ = [
    "MAX_BATCH",
    "REPORT_FIELDS",
    "apply_action",
    "available_actions",
    "clear_class_cache",
    "client_sources",
    "perform",
    "report_batch",
    "report_case",
    "revisit_by_reporter",
]
