"""The big screen's map layer of open cases, sent whole once and then as changes.

The whole layer — the newest ``CASE_LIMIT`` open cases with their traffic lights — is computed by the scheduled
task into a stored row (``screen_layer``; building 1,500 cases' working-time lights takes longer than a poll may).
A poll that carries the cursor of the previous answer gets only what changed since: the cases whose row was
written after it (``updated_at``, indexed; every transition and the overdue scan write it), open ones with their
light computed now, closed ones as ids to remove. When a newer stored layer exists the poll also carries its lights
by id (``lights``): lights move with the clock alone, and the display removes the cases no longer on the layer.

Each case item: ``id, no, lng, lat, light, class, at`` and ``u`` (milliseconds since the epoch when its light was
computed), so a display never lets an older layer's light overwrite a newer change.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

CASE_LIMIT = 1500
DELTA_LIMIT = 500  # more changes than this in one poll: the whole layer is sent instead
# Rows written (updated_at) just before the cursor but committed after it are sent again; a row committed later
# still is on the next stored layer, whose reconciliation brings it (the display asks for the whole layer).
OVERLAP = timedelta(seconds=2)
MAX_CURSOR_AGE = timedelta(minutes=10)  # an older cursor gets the whole layer
COLUMNS = ("id", "case_no", "location", "status", "stage_deadline", "minor_class__name", "received_at")


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_epoch_ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=timezone.get_default_timezone())


def _open_statuses() -> list[str]:
    from cases.choices import TERMINAL_STATUSES, CaseStatus

    return [s.value for s in CaseStatus if s not in TERMINAL_STATUSES]


def case_items(rows: list[tuple], now: datetime) -> list[dict]:
    """Map items of case rows (``COLUMNS``). Only the cases still within their deadline are loaded as objects for
    the working-time traffic light; past their deadline they are red without asking the calendar."""
    from cases.deadlines import STATUS_STAGE, traffic_light
    from cases.models import Case

    lights: dict[int, str] = {}
    running = []
    for pk, _no, _location, status, deadline, _class, _at in rows:
        if not STATUS_STAGE.get(status) or deadline is None:
            lights[pk] = "none"
        elif deadline < now:
            lights[pk] = "red"
        else:
            running.append(pk)
    for case in Case.objects.filter(pk__in=running).defer("short_grams", "description").prefetch_related("requests"):
        lights[case.pk] = traffic_light(case, now) or "none"
    stamp = epoch_ms(now)
    return [
        {
            "id": pk,
            "no": number,
            "lng": round(location.x, 6),
            "lat": round(location.y, 6),
            "light": lights.get(pk, "none"),
            "class": class_name,
            "at": received.isoformat(),
            "u": stamp,
        }
        for pk, number, location, _status, _deadline, class_name, received in rows
    ]


def whole_layer(now: datetime | None = None) -> dict:
    """The newest open cases (ids from the partial index of open cases, then their rows), with their lights."""
    from cases.models import Case

    now = now or timezone.now()
    ids = list(
        Case.objects.filter(status__in=_open_statuses())
        .order_by("-received_at", "-id")
        .values_list("id", flat=True)[: CASE_LIMIT + 1]
    )
    rows = list(Case.objects.filter(pk__in=ids[:CASE_LIMIT]).order_by("-received_at", "-id").values_list(*COLUMNS))
    items = case_items(rows, now)
    return {
        "items": items,
        "lights": {str(item["id"]): item["light"] for item in items},  # what a poll sends when the layer is newer
        "truncated": len(ids) > CASE_LIMIT,
        "at": epoch_ms(now),
    }


def changes(since: datetime, now: datetime) -> tuple[list[dict], list[int]] | None:
    """(open cases written after ``since`` with their lights, ids of those now closed); None if there are more
    than ``DELTA_LIMIT`` (the caller sends the whole layer). One query for the changed cases as objects (their
    lights need the stage's clock), one more only if some carry approved extensions."""
    from django.db.models import prefetch_related_objects

    from cases.deadlines import STATUS_STAGE, traffic_light
    from cases.models import Case

    cases = list(
        Case.objects.filter(updated_at__gt=since - OVERLAP)
        .select_related("minor_class")
        .defer("short_grams", "description", "address")
        .order_by("-updated_at")[: DELTA_LIMIT + 1]
    )
    if len(cases) > DELTA_LIMIT:
        return None
    open_statuses = set(_open_statuses())
    removed = [case.pk for case in cases if case.status not in open_statuses]
    kept = [case for case in cases if case.status in open_statuses]
    prefetch_related_objects([case for case in kept if case.extension_count], "requests")
    stamp = epoch_ms(now)
    items = [
        {
            "id": case.pk,
            "no": case.case_no,
            "lng": round(case.location.x, 6),
            "lat": round(case.location.y, 6),
            "light": _light(case, now, STATUS_STAGE, traffic_light),
            "class": case.minor_class.name,
            "at": case.received_at.isoformat(),
            "u": stamp,
        }
        for case in kept
    ]
    return items, removed


def _light(case, now: datetime, stages: dict, traffic_light) -> str:
    """As ``case_items`` decides it: no running clock → none, past its deadline → red, else the working-time light."""
    if not stages.get(case.status) or case.stage_deadline is None:
        return "none"
    if case.stage_deadline < now:
        return "red"
    return traffic_light(case, now) or "none"


def merged(layer: dict, since: datetime, now: datetime) -> dict:
    """The stored layer with what changed after it was computed: the whole picture as of now."""
    delta = changes(since, now)
    if delta is None:  # a flood of changes since the layer: compute the layer now
        layer = whole_layer(now)
        return {"items": layer["items"], "truncated": layer["truncated"], "removed": [], "full": True}
    changed, removed = delta
    gone = set(removed) | {item["id"] for item in changed}
    items = [*changed, *(item for item in layer["items"] if item["id"] not in gone)]
    return {"items": items, "truncated": layer["truncated"], "removed": [], "full": True}
