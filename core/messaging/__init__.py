"""Notification channels (通知通道): in-app notifications carried further, to SMS, WeChat Work and DingTalk group
robots and e-mail, by rules an administrator sets per kind of event, role, user and department.

The one entry point for the rest of the platform is ``fan_out(rows)``, called where in-app notification rows are
inserted, inside that transaction: it writes one outbox row (core/outbox.py) and returns. Everything else — which
rules match, the delivery rows, the Celery tasks, retries, quiet hours, the delivery log — happens behind the outbox,
so a notification that rolls back sends nothing and one that commits is carried even if Redis is down.

This package is a Django app of its own (label ``messaging``) so its tables and migrations stay apart from core's;
it sits in the core layer and imports nothing above it.
"""

from __future__ import annotations


def fan_out(rows) -> int:
    """Carry these in-app notifications (saved or about to be saved, same transaction) to the configured channels;
    returns how many events were queued for routing (0 when no rule wants any of their kinds)."""
    from core.messaging.services import fan_out as _fan_out

    return _fan_out(rows)
