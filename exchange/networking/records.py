"""The records sent upward, as plain JSON in current national codes (CJ/T 545-2021 style; the exact national field
list is not public, so the names are ours and documented in the README).

A builder returns ``(key, payload)``, or raises ``Held`` when the record cannot be sent as it is: a case whose class
belongs to a legacy standard (CJ/T 214-2007, a local extension) and has no single 2007 → 2026 ``ClassMapping``. Such a
code is never sent raw. Payloads carry no generation time, so the same state gives the same digest (services.py
queues a new version only when the payload changed). Callers' and reporters' personal data is never included.
"""

from __future__ import annotations

import threading
from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from cases.models import Case, CaseEvent
from cases.workflow import TRANSITIONS
from grids.models import ClassMapping, Component, MinorClass, Region, UnitGrid

CATEGORY = "城市管理"  # the hotline category the upper platforms collect: every order this centre holds is one

# Which on-time flag of the case belongs to which step (the flag is fixed when the stage ends).
STEP_FLAGS = {
    "accept": "accepted_on_time",
    "reject": "accepted_on_time",
    "verify": "verified_on_time",
    "register": "registered_on_time",
    "refuse": "registered_on_time",
    "dispatch": "dispatched_on_time",
    "dispose": "disposed_on_time",
    "check": "checked_on_time",
    "close": "closed_on_time",
}
STEP_NAMES = {"report": "上报", **{action: t.label for action, t in TRANSITIONS.items()}}


class Held(Exception):
    """The record cannot be sent: ``code`` of ``standard`` has no national code to send instead."""

    def __init__(self, code: str, name: str, standard: str, reason: str):
        super().__init__(reason)
        self.code, self.name, self.standard, self.reason = code, name, standard, reason


def when(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


# ---- Class codes: the current national table, through the 2007 → 2026 mapping ---------------------------------------

_mapping_lock = threading.Lock()
_mapping: dict | None = None


def clear_mapping_cache(**_kwargs) -> None:
    """Forget the cached mapping (connected to ClassMapping and MinorClass saves and deletes in ExchangeConfig)."""
    global _mapping
    with _mapping_lock:
        _mapping = None


def _mapping_table() -> dict:
    """{minor class id: [(national code, name), …]} for every class: a default-standard class is its own; a legacy
    one maps to the targets of its own kind when there are any (a 2007 component class maps both to the 2026
    component and to its "…异常" matter: a component class stays a component class), else to all its targets."""
    global _mapping
    table = _mapping
    if table is None:
        table = {}
        for pk, code, name in MinorClass.objects.filter(standard__is_default=True).values_list("pk", "code", "name"):
            table[pk] = [(code, name)]
        rows = ClassMapping.objects.filter(target__standard__is_default=True, source__standard__is_default=False)
        found: dict[int, list] = {}
        for source, kind, code, name, target_kind in rows.values_list(
            "source_id", "source__kind", "target__code", "target__name", "target__kind"
        ).order_by("pk"):
            found.setdefault(source, []).append((code, name, target_kind == kind))
        for source, targets in found.items():
            same = [(code, name) for code, name, same_kind in targets if same_kind]
            table[source] = same or [(code, name) for code, name, _same in targets]
        with _mapping_lock:
            _mapping = table
    return table


def national_class(minor_class_id: int) -> tuple[str, str]:
    """(code, name) in the current national standard, or Held naming the legacy code."""
    targets = _mapping_table().get(minor_class_id, [])
    if len(set(targets)) == 1:
        return targets[0]
    klass = MinorClass.objects.select_related("standard").get(pk=minor_class_id)
    reason = "no mapping to the current national standard" if not targets else "several national classes map from it"
    raise Held(klass.code, klass.name, klass.standard.code, reason)


# ---- Cases --------------------------------------------------------------------------------------------------------


def case_key(case: Case) -> str:
    return case.case_no


def case_record(case: Case, events: list | None = None) -> tuple[str, dict]:
    """One case: codes, place, department, every step's time with its on-time flag, and the current deadlines."""
    code, name = national_class(case.minor_class_id)
    if events is None:
        events = list(
            CaseEvent.objects.filter(case_id=case.pk)
            .order_by("at", "id")
            .values_list("action", "at", "from_status", "to_status", "role")
        )
    last_of = {action: index for index, (action, *_rest) in enumerate(events)}
    steps = []
    for index, (action, at, from_status, to_status, role) in enumerate(events):
        flag = STEP_FLAGS.get(action)
        steps.append(
            {
                "action": action,
                "name": STEP_NAMES.get(action, action),
                "at": when(at),
                "from": from_status,
                "to": to_status,
                "role": role,
                "on_time": getattr(case, flag) if flag and last_of[action] == index else None,
            }
        )
    department = case.department
    payload = {
        "case_no": case.case_no,
        "kind": case.kind,
        "class_code": code,
        "class_name": name,
        "class_standard": "GB/T 47678.5-2026",
        "source": case.source,
        "urgency": case.urgency,
        "status": case.status,
        "description": case.description,
        "address": case.address,
        "lng": round(case.location.x, 6),
        "lat": round(case.location.y, 6),
        "grid_code": case.grid_code,
        "community_code": case.community_code,
        "street_code": case.street_code,
        "district_code": case.district_code,
        "department": {"code": department.code, "name": department.name} if department else None,
        "reported_at": when(case.reported_at),
        "received_at": when(case.received_at),
        "disposal_deadline": when(case.disposal_deadline),
        "closed_at": when(case.closed_at),
        "is_overdue": case.is_overdue,
        "is_urged": case.is_urged,
        "counts": {
            "urge": case.urge_count,
            "rework": case.rework_count,
            "return": case.return_count,
            "extension": case.extension_count,
            "suspension": case.suspension_count,
        },
        "on_time": {flag.removesuffix("_on_time"): getattr(case, flag) for flag in sorted(set(STEP_FLAGS.values()))},
        "steps": steps,
    }
    local = case.minor_class
    if local.code != code or not local.standard.is_default:
        payload["local_class"] = {"code": local.code, "name": local.name, "standard": local.standard.code}
    return case_key(case), payload


def cases_for_records(ids):
    return Case.objects.filter(pk__in=ids).select_related("minor_class__standard", "department")


def events_by_case(ids) -> dict[int, list]:
    events: dict[int, list] = {}
    rows = CaseEvent.objects.filter(case_id__in=ids).order_by("case_id", "at", "id")
    for case_id, *row in rows.values_list("case_id", "action", "at", "from_status", "to_status", "role"):
        events.setdefault(case_id, []).append(tuple(row))
    return events


def supervision_reply(item, case: Case) -> tuple[str, dict]:
    """The answer to a 督办: the case's progress, and its closure once closed."""
    last = case.events.order_by("-at", "-id").values_list("action", "at", "opinion").first()
    return item.item_id, {
        "item_id": item.item_id,
        "case_no": case.case_no,
        "status": case.status,
        "closed": case.status == "closed",
        "closed_at": when(case.closed_at),
        "department": case.department.name if case.department_id else None,
        "urged_at": when(item.case_event.at) if item.case_event_id else None,
        "latest_step": {
            "action": last[0],
            "name": STEP_NAMES.get(last[0], last[0]),
            "at": when(last[1]),
            "opinion": last[2],
        }
        if last
        else None,
    }


# ---- Hotline work orders --------------------------------------------------------------------------------------------


def order_key(order) -> str:
    return f"{order.hotline.code}:{order.external_no}"


def order_record(order) -> tuple[str, dict]:
    """A hotline work order in the city-management category (no caller name or phone)."""
    return order_key(order), {
        "hotline": order.hotline.code,
        "order_no": order.external_no,
        "category": CATEGORY,
        "type": order.order_type,
        "content": order.content,
        "address": order.address,
        "grid_code": order.grid_code,
        "street_code": order.street_code,
        "urgency": order.urgency,
        "status": order.status,
        "department": order.department.name if order.department_id else None,
        "case_no": order.case.case_no if order.case_id else None,
        "received_at": when(order.received_at),
        "deadline": when(order.deadline),
        "transferred_at": when(order.transferred_at),
        "signed_at": when(order.signed_at),
        "handled_at": when(order.handled_at),
        "replied_at": when(order.replied_at),
        "reply": order.reply_text,
        "visited_at": when(order.visited_at),
        "satisfaction": order.satisfaction or None,
        "completed_at": when(order.completed_at),
        "completed_on_time": order.completed_on_time,
        "answered_directly": order.direct_answer,
        "counts": {"redo": order.redo_count, "send_back": order.send_back_count, "extension": order.extension_count},
    }


# ---- Monthly evaluation ---------------------------------------------------------------------------------------------


def evaluation_record(bulletin) -> tuple[str, dict]:
    """A published bulletin's frozen figures: headline, overall counts and rates, departments, streets, hotline."""
    figures = bulletin.figures or {}
    return bulletin.period_start.strftime("%Y-%m"), {
        "period": figures.get("period") or {"start": str(bulletin.period_start), "end": str(bulletin.period_end)},
        "bulletin": {"year": bulletin.year, "number": bulletin.number, "published_at": when(bulletin.published_at)},
        "headline": figures.get("headline", []),
        "overall": figures.get("overall", {}),
        "departments": figures.get("departments", []),
        "streets": figures.get("streets", []),
        "hotline": figures.get("hotline", {}),
    }


# ---- Base data ----------------------------------------------------------------------------------------------------


def region_records():
    rows = Region.objects.order_by("code").values_list("code", "name", "level", "parent__code")
    for code, name, level, parent in rows:
        yield code, {"code": code, "name": name, "level": level, "parent_code": parent}


def grid_records():
    from django.contrib.gis.db.models.functions import AsGeoJSON

    rows = (
        UnitGrid.objects.order_by("code", "valid_from")
        .annotate(shape=AsGeoJSON("geometry", precision=6))
        .values_list("code", "name", "community__code", "area_m2", "valid_from", "valid_to", "shape")
    )
    import json

    for code, name, community, area, valid_from, valid_to, shape in rows:
        yield (
            f"{code}@{valid_from}",
            {
                "code": code,
                "name": name,
                "community_code": community,
                "area_m2": round(area, 1),
                "valid_from": str(valid_from),
                "valid_to": str(valid_to) if valid_to else None,
                "geometry": json.loads(shape),
            },
        )


def component_counts(platform: str) -> tuple[tuple[str, dict], list[Held]]:
    """Components per national class and status; classes without a national code are left out and returned."""
    counts: dict[tuple[str, str], int] = {}
    names: dict[str, str] = {}
    held: dict[int, Held] = {}
    rows = Component.objects.values_list("minor_class_id", "status").annotate(n=Count("id")).order_by()
    for minor_class_id, status, n in rows:
        try:
            code, name = national_class(minor_class_id)
        except Held as why:
            held[minor_class_id] = why
            continue
        names[code] = name
        counts[(code, status)] = counts.get((code, status), 0) + n
    items = [
        {"class_code": code, "class_name": names[code], "status": status, "count": n}
        for (code, status), n in sorted(counts.items())
    ]
    return (platform, {"platform": platform, "counts": items}), list(held.values())
