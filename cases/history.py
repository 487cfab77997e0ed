"""Replaying the past of cases in bulk (history imports, the demo city's year of cases).

Every step goes through the same permission and ownership checks as a live action and then through
``apply_action`` — the very code ``perform`` runs — so a replayed case ends exactly where the live workflow would
have left it, with the same timeline. Only the writes are batched: the cases' new state goes back in one
``UPDATE … FROM`` per chunk and their events in one ``INSERT`` per thousand, and nothing is announced or notified
(history tells nobody; whoever replays rebuilds what listens, e.g. the evaluation rollups). Requests needing a
decision (extension, suspension, return, cancellation) are written as they are made, as live.

Call it inside a transaction; the cases must exist (e.g. reported with ``report_case(at=…)``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction

from cases.exceptions import ActionForbidden
from cases.models import Case, CaseEvent
from cases.services.transitions import apply_action, may_act_on, text_param
from cases.workflow import transition

# Columns replay never changes (the report's own facts), left out of the write-back.
_UNCHANGED = {"id", "case_no", "client_uuid", "kind", "location", "reporter", "reported_at", "received_at"}


@dataclass
class Step:
    """One past action: who did what, when, with which parameters (as ``perform`` takes them)."""

    action: str
    actor: object
    at: datetime
    params: dict = field(default_factory=dict)


def replay(case: Case, steps: Iterable[Step]) -> list[CaseEvent]:
    """Apply *steps* in order to *case* in memory (requests are written); returns the unsaved events. Raises
    ``ActionForbidden``, ``ActionNotAllowed`` or ``ValidationError`` exactly where ``perform`` would."""
    events = []
    for step in steps:
        rule = transition(step.action)
        if not step.actor.has_perm(rule.permission) or not may_act_on(case, step.actor, step.action):
            raise ActionForbidden(f"{step.actor} may not {step.action} case {case.case_no}")
        from_status, outcome = apply_action(case, step.action, step.actor, step.params, step.at)
        events.append(
            CaseEvent(
                case=case,
                action=step.action,
                actor=step.actor,
                role=getattr(step.actor, "role", "") or "",
                from_status=from_status,
                to_status=case.status,
                at=step.at,
                opinion=text_param(step.params, "opinion"),
                data=outcome.data,
            )
        )
        case.updated_at = step.at
    return events


def save_replayed(cases: list[Case], events: list[CaseEvent], chunk: int = 2000) -> None:
    """Write replayed cases back (every column replay can change) and insert their events."""
    fields = [f for f in Case._meta.concrete_fields if f.name not in _UNCHANGED and not getattr(f, "generated", False)]
    columns = [connection.ops.quote_name(f.column) for f in fields]
    # One transaction, the staging table dropped with it: no session state left for a pooler (DB_POOLER) to lose.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS _case_replay")
        cursor.execute(
            f"CREATE TEMP TABLE _case_replay ON COMMIT DROP AS SELECT id, {', '.join(columns)} FROM cases_case "
            "WITH NO DATA"
        )
        for start in range(0, len(cases), chunk):
            rows = [
                [case.pk, *(f.get_db_prep_save(getattr(case, f.attname), connection) for f in fields)]
                for case in cases[start : start + chunk]
            ]
            placeholders = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
            cursor.execute("TRUNCATE _case_replay")
            cursor.execute(
                f"INSERT INTO _case_replay (id, {', '.join(columns)}) VALUES " + ", ".join([placeholders] * len(rows)),
                [value for row in rows for value in row],
            )
            assignments = ", ".join(f"{c} = r.{c}" for c in columns)
            cursor.execute(f"UPDATE cases_case c SET {assignments} FROM _case_replay r WHERE c.id = r.id")
        cursor.execute("DROP TABLE _case_replay")
    CaseEvent.objects.bulk_create(events, batch_size=1000)
