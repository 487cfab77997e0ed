"""Where each collector stands with training: the result of their last training, and the trained share (the
active collectors whose last training before a date was passed), a figure the self-evaluation binds to
(``evaluation.metrics``: ``trained_share``)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from core.choices import Role
from core.models import User
from evaluation.supervision.models import TrainingAttendance


def last_results(collector_ids, *, until: date | None = None) -> dict[int, bool]:
    """{collector id: passed} of each collector's last training (held on or before *until*); the untrained are
    absent. Two sessions on one day: the later recorded counts."""
    rows = TrainingAttendance.objects.filter(collector_id__in=list(collector_ids))
    if until is not None:
        rows = rows.filter(training__held_on__lte=until)
    rows = rows.order_by("collector_id", "-training__held_on", "-training_id").distinct("collector_id")
    return dict(rows.values_list("collector_id", "passed"))


def active_collectors():
    return User.objects.filter(role=Role.COLLECTOR, is_active=True)


def trained_share(until: date) -> Decimal | None:
    """% of the active collectors whose last training (on or before *until*) was passed; None without collectors."""
    ids = list(active_collectors().values_list("pk", flat=True))
    if not ids:
        return None
    passed = sum(1 for ok in last_results(ids, until=until).values() if ok)
    return (Decimal(passed) * 100 / Decimal(len(ids))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
