"""Celery tasks of the evaluation layer (indicators and monthly bulletins).

- ``sync_facts`` (beat, every 15 s): new reports (intake leaves them to it) and the overdue flags that
  ``cases.tasks.mark_overdue`` sets in bulk, applied to the rollups;
- ``rebuild_rollups`` (beat, nightly): the safety net, the months whose cases changed recomputed from the cases
  (everything after a change of the measures; ``evaluation.rollups.rebuild_changed``), rollups and hotspot counts;
- ``ensure_monthly_bulletin`` (beat, daily): last month's bulletin, created as a draft if missing;
- ``refresh_period_figures`` (beat, every ``PERIOD_FIGURES_SECONDS``): the stored figures of the big screen, the
  home pages and this and last month's period figures (``evaluation.stored_figures``);
- ``compute_period`` (on demand): every figure of a period, cached in Redis for the pages and the API;
- ``generate_bulletin`` (on demand): one month's bulletin;
- ``refresh_open_self_evaluations`` (beat, nightly): every open self-evaluation's platform-bound figures and score,
  one ``refresh_self_evaluation`` each (also queued by the finance page's 从平台重新取数), the findings diff recorded.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task


@shared_task(name="evaluation.tasks.sync_facts")
def sync_facts() -> int:
    from evaluation.hotspots.aggregation import sync as sync_hotspots
    from evaluation.rollups import sync_facts as sync

    applied = sync()
    sync_hotspots()  # today's hotspot counts (heat cells, grids), recomputed from today's cases
    return applied


@shared_task(name="evaluation.tasks.rebuild_rollups")
def rebuild_rollups() -> dict:
    from evaluation.hotspots.aggregation import rebuild as rebuild_hotspots
    from evaluation.hotspots.aggregation import rebuild_months as rebuild_hotspot_months
    from evaluation.models import RollupScope
    from evaluation.rollups import bump_version, rebuild_changed

    build = rebuild_changed()  # the months whose cases changed since the last rebuild (all, after new measures)
    hotspots = rebuild_hotspot_months(build.months) if build.scope == RollupScope.CHANGED else rebuild_hotspots()
    timings = {**build.timings, **{f"hotspots_{k}": v for k, v in hotspots.items()}}
    bump_version()  # the cached heat tiles too
    return timings


@shared_task(name="evaluation.tasks.refresh_period_figures")
def refresh_period_figures() -> dict:
    from evaluation.stored_figures import refresh_current

    return refresh_current()


@shared_task(name="evaluation.tasks.compute_period")
def compute_period(start: str, end: str) -> dict:
    """Compute (and cache) every figure of ``start``..``end`` (ISO dates)."""
    from evaluation.indicators import period_figures

    return period_figures(date.fromisoformat(start), date.fromisoformat(end), fresh=True)


@shared_task(name="evaluation.tasks.ensure_monthly_bulletin")
def ensure_monthly_bulletin() -> int:
    from evaluation.bulletins.services import ensure_last_month

    bulletin, _created = ensure_last_month()
    return bulletin.pk


@shared_task(name="evaluation.tasks.generate_bulletin")
def generate_bulletin(year: int, month: int) -> int:
    from evaluation.bulletins.services import create_bulletin

    bulletin, _created = create_bulletin(year, month)
    return bulletin.pk


@shared_task(name="evaluation.tasks.refresh_self_evaluation", acks_late=True, reject_on_worker_lost=True)
def refresh_self_evaluation(refresh_id: int) -> str:
    """Fetch one self-evaluation's bound figures and rescore it (evaluation.selfeval.refresh.run); a second delivery
    of the same refresh does nothing."""
    from evaluation.selfeval.refresh import run

    return run(refresh_id)


@shared_task(name="evaluation.tasks.refresh_open_self_evaluations")
def refresh_open_self_evaluations(day: str | None = None) -> int:
    """Beat, nightly: queue tonight's refresh of every open self-evaluation (keyed by the night: a second run queues
    nothing) and send again any refresh a lost message or a killed worker left behind."""
    from evaluation.selfeval.refresh import queue_nightly, requeue_stale

    requeue_stale()
    return queue_nightly(date.fromisoformat(day) if day else None)
