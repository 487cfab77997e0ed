"""Celery tasks of the case layer.

``mark_overdue`` (beat, every minute) flags open cases whose current stage deadline has just passed and tells the
people who must act. What "overdue" means: the case's *current* timed stage has run past its deadline — for the
disposal stage that is the bundled deadline (超期未处置: limit + approved extensions, suspended time left out); a
suspended case has no running clock and is never marked. The flag is cleared when the next stage starts (or an
extension moves the deadline past now) and set again by this task if that stage runs late too.

``fold_tally`` (every minute) and ``repair_tally`` (nightly) look after the case tally the queue counts read
(cases/tally.py).
"""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cases import tally
from cases.choices import CaseStatus as S
from cases.choices import Stage
from cases.deadlines import STATUS_STAGE
from cases.models import Case
from cases.notifications import DEPARTMENT_HANDLERS, case_url
from core.notifications import build, send_notifications, users_with_permission

# Who hears that a stage ran late: the holders of the stage's watch permission (a duty roster granted in
# core/roles.py: operators for acceptance, verification and check, shift leaders for registration and closure,
# dispatchers for dispatch and disposal; the administrator's "every permission" leaves rosters out), and for
# disposal the department's handlers as well.
STAGE_WATCHERS: dict[str, str] = {stage: f"cases.watch_{stage}_overdue" for stage in Stage}
MESSAGES = {
    Stage.DISPOSE: _("Case %(case_no)s is overdue for disposal (due %(deadline)s)"),
    Stage.VERIFY: _("Verification of case %(case_no)s is overdue (due %(deadline)s)"),
    Stage.CHECK: _("Check of case %(case_no)s is overdue (due %(deadline)s)"),
}
DEFAULT_MESSAGE = _("Case %(case_no)s is overdue at stage %(stage)s (due %(deadline)s)")
logger = logging.getLogger(__name__)
TIMED_STATUSES = sorted(str(status) for status in STATUS_STAGE)

_MARK_SQL = f"""
    UPDATE {Case._meta.db_table}
       SET is_overdue = TRUE, updated_at = %s
     WHERE NOT is_overdue AND stage_deadline < %s AND status = ANY(%s)
 RETURNING id, case_no, status, stage_deadline, department_id, assigned_collector_id
"""


class _Recipients:
    """Who to tell about one overdue case; each stage's watchers and department handlers are read once per run."""

    def __init__(self) -> None:
        self._watchers: dict[str, set[int]] = {}
        self._departments: dict[int | None, set[int]] = {}

    def _watching(self, stage: str) -> set[int]:
        if stage not in self._watchers:
            self._watchers[stage] = set(users_with_permission(STAGE_WATCHERS[stage]).values_list("pk", flat=True))
        return self._watchers[stage]

    def _department(self, department_id: int | None) -> set[int]:
        if department_id not in self._departments:
            handlers = []
            if department_id is not None:
                handlers = users_with_permission(DEPARTMENT_HANDLERS, department_id).values_list("pk", flat=True)
            self._departments[department_id] = set(handlers)
        return self._departments[department_id]

    def __call__(self, stage: str, status: str, department_id: int | None, collector_id: int | None) -> set[int]:
        ids = set(self._watching(stage))
        if stage == Stage.DISPOSE:
            ids |= self._department(department_id)
        if status in (S.VERIFYING, S.CHECKING) and collector_id:
            ids.add(collector_id)  # the collector holding the on-site task
        return ids


@shared_task(name="cases.tasks.mark_overdue", ignore_result=True)
def mark_overdue(now: str | None = None) -> int:
    """Flag every open case whose current stage deadline has passed and notify once per case and deadline.

    Set-based and idempotent: one ``UPDATE … RETURNING`` touches only cases not yet flagged (row locks held by a
    running transition make it wait and re-check), and the notifications carry a dedupe key naming the case and
    the deadline, so neither a re-run nor an overlapping run notifies twice. Returns how many cases it flagged."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_MARK_SQL, [moment, moment, TIMED_STATUSES])
            rows = cursor.fetchall()
        recipients, notifications = _Recipients(), []
        with translation.override(settings.LANGUAGE_CODE):  # stored text, in the site's language
            stage_names = {stage: str(stage.label) for stage in Stage}
            for case_id, case_no, status, deadline, department_id, collector_id in rows:
                stage = STATUS_STAGE[status]
                message = str(MESSAGES.get(stage, DEFAULT_MESSAGE)) % {
                    "case_no": case_no,
                    "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M"),
                    "stage": stage_names[stage],
                }
                notifications += build(
                    recipients(stage, status, department_id, collector_id),
                    "case_overdue",
                    message,
                    url=case_url(case_id),
                    dedupe_key=f"overdue:{case_id}:{stage}:{int(deadline.timestamp())}",
                )
        send_notifications(notifications)
    return len(rows)


@shared_task(name="cases.tasks.fold_tally", ignore_result=True)
def fold_tally() -> bool:
    """Fold the case tally's rows into one per group (cases/tally.py); beat, every minute. Idempotent."""
    return tally.fold()


@shared_task(name="cases.tasks.repair_tally", ignore_result=True)
def repair_tally() -> int:
    """Nightly safety net: count the case tally again if it drifted from the cases (something bypassed the
    triggers); the drift is logged. Answers how many groups had drifted. Idempotent."""
    found = tally.repair()
    for group in found:
        logger.warning("case tally drifted: %s; recounted", group)
    return len(found)
