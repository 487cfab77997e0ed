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


def slow_first_time(user_id: int, marker: str) -> None:
    """Records each start in *marker*; the first run takes a minute (long enough to be killed in), later ones not."""
    with open(marker, "a") as starts:
        starts.write("start\n")
    with open(marker) as starts:
        first = len(starts.readlines()) == 1
    if first:
        time.sleep(60)
    Notification.objects.create(recipient_id=user_id, kind="outbox_test", message="finished")
