"""从平台重新取数 by a Celery worker: a self-evaluation's platform-bound figures fetched and its score recomputed,
the findings diff recorded as an immutable event.

- ``request_refresh`` (the finance page's button): one ``PlatformRefresh`` queued through the outbox after commit;
  a second click while one is queued or running answers that one (a partial unique index decides).
- ``queue_nightly`` (beat, nightly): one refresh per open (not exported) self-evaluation, keyed by the night, so a
  second run that night queues nothing.
- ``run`` (the task's body, by id): claims the refresh with one conditional UPDATE (a duplicated message does
  nothing), fetches each bound figure from ``evaluation.metrics.system_metric`` outside any transaction while
  writing its progress, then applies them through the workflow's ``recompute`` action: lock, rescore, one
  ``SelfEvaluationEvent`` whose data is the diff — figures changed, score and grade before → after, findings that
  appeared and disappeared — and the refresh marked done in the same transaction. The nightly run records an event
  (and returns the form to draft) only where something changed; a person's request always records one.
- ``apply_platform_figures``: the shared last step, also behind ``services.refresh_from_platform`` (in-process, for
  the management command, the demo and the tests).
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core import outbox
from core.workflow import Outcome
from evaluation.models.selfeval import PlatformRefresh, RefreshStatus, SelfEvaluation, SelfEvaluationStatus
from evaluation.selfeval.services import (
    BUDGET_EXECUTION_KEY,
    CHANGE_PERMISSION,
    compute,
    load,
    save_loaded,
    source,
    year_period,
)
from evaluation.selfeval.workflow import SELF_EVALUATIONS, SelfEvaluationForbidden, SelfEvaluationNotFound

logger = logging.getLogger(__name__)

TASK = "evaluation.tasks.refresh_self_evaluation"
ACTIVE = (RefreshStatus.QUEUED, RefreshStatus.RUNNING)
MAX_ATTEMPTS = 3


def open_evaluations():
    """Self-evaluations still being worked on: every one not yet exported to the finance bureau."""
    return SelfEvaluation.objects.exclude(status=SelfEvaluationStatus.EXPORTED)


def active_refresh(evaluation_id: int) -> PlatformRefresh | None:
    return PlatformRefresh.objects.filter(evaluation_id=evaluation_id, status__in=ACTIVE).first()


def latest_refresh(evaluation_id: int) -> PlatformRefresh | None:
    return PlatformRefresh.objects.filter(evaluation_id=evaluation_id).order_by("-created_at", "-id").first()


def _queue(evaluation_id: int, key: str, actor=None) -> PlatformRefresh | None:
    """A new refresh queued after commit, or None when one is active or this key exists (a race, a second run)."""
    try:
        with transaction.atomic():
            refresh = PlatformRefresh.objects.create(evaluation_id=evaluation_id, key=key, requested_by=actor)
            outbox.enqueue_task(TASK, refresh_id=refresh.pk)
    except IntegrityError:
        return None
    return refresh


def request_refresh(evaluation_id: int, actor) -> tuple[PlatformRefresh, bool]:
    """The finance page's 从平台重新取数: (the refresh to follow, whether it is new)."""
    if not (actor.is_active and actor.has_perm(CHANGE_PERMISSION)):
        raise SelfEvaluationForbidden(CHANGE_PERMISSION)
    if not SelfEvaluation.objects.filter(pk=evaluation_id).exists():
        raise SelfEvaluationNotFound(evaluation_id)
    for _attempt in range(2):
        existing = active_refresh(evaluation_id)
        if existing is not None:
            return existing, False
        refresh = _queue(evaluation_id, f"manual:{uuid.uuid4().hex}", actor)
        if refresh is not None:
            return refresh, True
    return active_refresh(evaluation_id) or latest_refresh(evaluation_id), False


def queue_nightly(day: date | None = None) -> int:
    """Queue tonight's refresh of every open self-evaluation (those with one running already are left to it);
    answers how many were queued. Running it twice the same night queues nothing more."""
    key = f"nightly:{(day or timezone.localdate()).isoformat()}"
    busy = PlatformRefresh.objects.filter(status__in=ACTIVE).values("evaluation_id")
    done = PlatformRefresh.objects.filter(key=key).values("evaluation_id")
    ids = open_evaluations().exclude(pk__in=busy).exclude(pk__in=done).values_list("pk", flat=True)
    return sum(_queue(evaluation_id, key) is not None for evaluation_id in ids)


# ---- running one -------------------------------------------------------------------------------------------------


def _stale_before():
    return timezone.now() - timedelta(minutes=getattr(settings, "SELFEVAL_REFRESH_STALE_MINUTES", 10))


def claim(refresh_id: int) -> int | None:
    """Take the refresh (one conditional UPDATE): the attempt number, or None when it is done or taken."""
    now = timezone.now()
    takeable = Q(status=RefreshStatus.QUEUED) | Q(status=RefreshStatus.RUNNING, heartbeat_at__lt=_stale_before())
    updated = PlatformRefresh.objects.filter(takeable, pk=refresh_id, attempts__lt=MAX_ATTEMPTS).update(
        status=RefreshStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
    )
    if not updated:
        return None
    return PlatformRefresh.objects.filter(pk=refresh_id).values_list("attempts", flat=True).first()


def bound_indicators(data) -> list:
    return [i for i in data.indicators if i.metric_key and i.metric_key != BUDGET_EXECUTION_KEY and not i.inapplicable]


def fetch_figures(evaluation: SelfEvaluation, progress=None) -> dict[int, Decimal | None]:
    """Each bound indicator's figure for the year, from the platform (read-only; no lock held meanwhile)."""
    from evaluation.metrics import system_metric

    start, end = year_period(evaluation.year)
    bound = bound_indicators(load(evaluation))
    if progress is not None:
        progress(0, len(bound))
    values: dict[int, Decimal | None] = {}
    for done, indicator in enumerate(bound, start=1):
        value = system_metric(indicator.metric_key, start, end)
        values[indicator.pk] = None if value is None else Decimal(value)
        if progress is not None:
            progress(done, len(bound))
    return values


def _finding_key(finding) -> str:
    row = finding.row or {}
    return f"{finding.code}:{row.get('kind', '')}:{row.get('id', '')}"


def _findings(data) -> dict[str, dict]:
    from evaluation.selfeval.checks import run_checks

    return {
        _finding_key(f): {"code": f.code, "severity": f.severity, "row": (f.row or {}).get("label", "")}
        for f in run_checks(data)
    }


def _text(value) -> str | None:
    return None if value is None else str(value)


def apply_platform_figures(
    evaluation_id: int, actor, values: dict[int, Decimal | None] | None = None, *, nightly: bool = False, after=None
) -> SelfEvaluation:
    """Set the bound actual values (fetched now when *values* is None), rescore, and record the ``recompute``
    event with the diff; *after(diff)* runs inside the same transaction (the refresh marked done)."""
    from evaluation.metrics import system_metric

    def handle(evaluation: SelfEvaluation, now) -> Outcome:
        data = load(evaluation)
        before_findings = _findings(data)
        before = {"total": _text(evaluation.total), "grade": evaluation.grade}
        start, end = year_period(evaluation.year)
        changed_values = {}
        filled = {}
        for indicator in bound_indicators(data):
            if values is not None and indicator.pk in values:
                value = values[indicator.pk]
            else:  # bound since the figures were fetched, or fetched in-process
                raw = system_metric(indicator.metric_key, start, end)
                value = None if raw is None else Decimal(raw)
            old = indicator.actual_value
            indicator.actual_value = value
            indicator.sources["actual"] = source(
                "metric", actor, metric=indicator.metric_key, start=start, end=end, empty=value is None
            )
            filled[indicator.name] = _text(value)
            if old is None or value is None:
                differs = old is not value
            else:
                differs = Decimal(old) != value
            if differs:
                changed_values[indicator.name] = [_text(old), _text(value)]
        compute(data)
        after_findings = _findings(data)
        diff = {
            "period": [start.isoformat(), end.isoformat()],
            "values": filled,
            "changed": changed_values,
            "total": [before["total"], _text(evaluation.total)],
            "grade": [before["grade"], evaluation.grade],
            "findings_added": [after_findings[k] for k in sorted(after_findings.keys() - before_findings.keys())],
            "findings_removed": [before_findings[k] for k in sorted(before_findings.keys() - after_findings.keys())],
            "findings": sorted(f["code"] for f in after_findings.values()),
            "nightly": nightly,
        }
        something = bool(
            changed_values or diff["findings_added"] or diff["findings_removed"] or diff["total"][0] != diff["total"][1]
        )
        diff["unchanged"] = not something
        if something or not nightly:
            evaluation.status = SelfEvaluationStatus.DRAFT
        save_loaded(data)
        if after is not None:
            after(diff)
        return Outcome(data=diff, save=False, record=something or not nightly)

    return SELF_EVALUATIONS.run(evaluation_id, "recompute", actor, handle)


class _Progress:
    def __init__(self, refresh_id: int) -> None:
        self.refresh_id = refresh_id

    def __call__(self, done: int, total: int) -> None:
        PlatformRefresh.objects.filter(pk=self.refresh_id, status=RefreshStatus.RUNNING).update(
            steps_done=done, steps_total=total, heartbeat_at=timezone.now()
        )


class _TakenOver(Exception):
    """Another worker finished this refresh meanwhile: roll this one's event back."""


def run(refresh_id: int) -> str:
    """Run one refresh to its end (the Celery task's body); running it again for the same id does nothing."""
    attempt = claim(refresh_id)
    if attempt is None:
        return "skipped"
    refresh = PlatformRefresh.objects.select_related("evaluation", "requested_by").get(pk=refresh_id)
    nightly = refresh.requested_by_id is None
    mine = PlatformRefresh.objects.filter(pk=refresh_id, status=RefreshStatus.RUNNING, attempts=attempt)
    try:
        if nightly and refresh.evaluation.status == SelfEvaluationStatus.EXPORTED:  # finalised since it was queued
            mine.update(status=RefreshStatus.DONE, finished_at=timezone.now(), result={"skipped": "exported"})
            return RefreshStatus.DONE
        values = fetch_figures(refresh.evaluation, _Progress(refresh_id))

        def finish(diff: dict) -> None:
            if not mine.update(status=RefreshStatus.DONE, finished_at=timezone.now(), result=diff):
                raise _TakenOver

        apply_platform_figures(refresh.evaluation_id, refresh.requested_by, values, nightly=nightly, after=finish)
    except _TakenOver:
        return "skipped"
    except Exception as exc:  # the refresh must end, whatever happened (a permission lost, a metric failing)
        logger.exception("self-evaluation refresh %s failed", refresh_id)
        mine.update(status=RefreshStatus.FAILED, finished_at=timezone.now(), result={"error": str(exc)[:500]})
        return RefreshStatus.FAILED
    return RefreshStatus.DONE


def requeue_stale() -> int:
    """Send again refreshes a lost message or a killed worker left behind (called by the nightly task)."""
    waited = timezone.now() - timedelta(minutes=5)
    left = PlatformRefresh.objects.filter(
        Q(status=RefreshStatus.QUEUED, created_at__lt=waited)
        | Q(status=RefreshStatus.RUNNING, heartbeat_at__lt=_stale_before())
    )
    left.filter(attempts__gte=MAX_ATTEMPTS).update(status=RefreshStatus.FAILED, finished_at=timezone.now())
    ids = list(left.filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True))
    for refresh_id in ids:
        with transaction.atomic():
            outbox.enqueue_task(TASK, refresh_id=refresh_id)
    return len(ids)


def status_of(refresh: PlatformRefresh | None) -> dict:
    """What the page's progress JSON says of a refresh."""
    if refresh is None:
        return {"status": "", "status_label": "", "percent": 0, "finished": True}
    return {
        "id": refresh.pk,
        "status": refresh.status,
        "status_label": str(refresh.get_status_display()),
        "steps_done": refresh.steps_done,
        "steps_total": refresh.steps_total,
        "percent": refresh.percent,
        "finished": refresh.finished,
    }
