"""The history of the channels' records (``ChannelEvent``): written when a record is made, read by the pages."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from core.workflow import WORKFLOWS
from hotlines.channels.models import (
    Camera,
    ChannelEvent,
    ChatGroupReport,
    Inspection,
    OnlineOpinion,
)

RECORD_KINDS = {OnlineOpinion: "opinion", Inspection: "inspection", ChatGroupReport: "chat_report", Camera: "camera"}


def record_history(record, action: str, actor, at: datetime | None = None, **data) -> None:
    """One immutable ``ChannelEvent`` of *record* written outside a transition (recording a new record), in the
    caller's transaction (``at``: a replayed past moment); the same recorder as the workflow's runner."""
    flow = WORKFLOWS[RECORD_KINDS[type(record)]]
    flow.record_event(record, action, actor, "", "", at=at or timezone.now(), data=data)


def history(record) -> list[ChannelEvent]:
    """The history of a record of the other channels, oldest first."""
    return list(
        ChannelEvent.objects.filter(record_kind=RECORD_KINDS[type(record)], record_id=record.pk).select_related("actor")
    )
