"""Celery's queues and which task goes to which (README: Deployment).

Each kind of work has its own queue, so a long export or a rollup rebuild never holds up the overdue scan or the
outbox relay: workers are started per queue (``celery -A citymgmt worker -Q rollups``); a worker started without
``-Q`` consumes them all. Queues are durable and fed through the default exchange (on RabbitMQ they and the
persistent messages in them survive a broker restart). A prefix isolates several platforms, or test runs, sharing
one broker.
"""

from __future__ import annotations

from kombu import Exchange, Queue

QUEUE_NAMES = ["default", "rollups", "exports", "exchange", "notifications"]

# Task name (exact names first, then the glob patterns in this order) → queue; anything else goes to "default".
ROUTES = {
    "core.tasks.run_import_job": "exports",  # imports share the exports' queue: both are long file work
    "core.tasks.requeue_import_jobs": "default",  # a quick sweep, never behind a long import
    "core.tasks.tend_export_jobs": "default",  # likewise for exports: requeue the lost, purge the expired
    "evaluation.tasks.*": "rollups",
    "cases.tasks.repair_tally": "rollups",  # a scan of every case: never ahead of the overdue scan
    "exchange.*": "exchange",
    "core.messaging.tasks.*": "notifications",
    "*export*": "exports",
    "*import*": "exports",
}


def _route(prefix: str, queue: str) -> dict:
    # Through the default exchange straight to the queue named by the routing key: nothing to bind, so nothing is
    # lost when a Redis broker restarts without persistence and forgets its bindings.
    return {"queue": prefix + queue, "routing_key": prefix + queue}


def celery_queue_settings(prefix: str = "") -> dict:
    """The ``task_*`` settings (lower-case Celery names) of the queues and routes under *prefix*."""
    return {
        "task_queues": [
            Queue(prefix + name, Exchange("", durable=True), routing_key=prefix + name, durable=True)
            for name in QUEUE_NAMES
        ],
        "task_default_queue": prefix + "default",
        "task_default_routing_key": prefix + "default",
        "task_routes": {task: _route(prefix, queue) for task, queue in ROUTES.items()},
    }
