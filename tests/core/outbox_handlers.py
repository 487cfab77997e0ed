"""Outbox handlers for the tests: each delivery leaves a notification, so a count says how often it ran."""

from __future__ import annotations

import time

from core.models import Notification

STATE = {"fail": False, "pause": 0.0}


def note(user_id: int, message: str) -> None:
    if STATE["fail"]:
        raise RuntimeError("the handler's outside system is down")
    time.sleep(STATE["pause"])
    Notification.objects.create(recipient_id=user_id, kind="outbox_test", message=message)
