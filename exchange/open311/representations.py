"""Cases and classes as Open311 GeoReport v2 sees them (dicts ready for ``formats.respond``).

Services are the event classes (小类) of the default standard; a class's filing conditions (立案条件) are its one
attribute, ``condition`` (a single-value list). Service requests are cases the centre has accepted (a citizens'
report becomes one after its on-site verification and acceptance; before that its client holds a token). The
request id is the case number. Everything shown follows ``exchange.public.disclosure``."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from exchange.public import disclosure
from grids.models import FilingCondition, MinorClass

MEDIA_SALT = "exchange.open311.media"


def w3c(value) -> str | None:
    """W3C datetime in the city's zone: 2026-12-03T16:05:09+08:00."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def event_classes():
    return MinorClass.objects.filter(standard__is_default=True, kind="event", is_active=True).select_related("major")


def services() -> list[dict]:
    with_conditions = set(
        FilingCondition.objects.filter(is_active=True, minor_class__in=event_classes()).values_list(
            "minor_class_id", flat=True
        )
    )
    return [
        {
            "service_code": klass.code,
            "service_name": klass.name,
            "description": f"{klass.major.name} · {klass.name}",
            "metadata": klass.pk in with_conditions,
            "type": "batch",  # a request gets its id once verified and accepted: the POST answers with a token
            "keywords": f"{klass.major.code},{klass.major.name}",
            "group": klass.major.name,
        }
        for klass in event_classes().order_by("code")
    ]


def _limit(condition: FilingCondition) -> str:
    value = condition.limit_value.normalize()
    return f"{value:f} {condition.get_limit_unit_display()}"


def definition(klass: MinorClass) -> dict:
    conditions = FilingCondition.objects.filter(minor_class=klass, is_active=True).order_by("code", "pk")
    attributes = []
    if conditions:
        attributes.append(
            {
                "variable": True,
                "code": "condition",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "立案条件：选择最接近的一项（可不选，由指挥中心判定）",
                "order": 1,
                "description": "立案条件（处置时限）",
                "values": [{"key": str(c.pk), "name": f"{c.description}（{_limit(c)}）"} for c in conditions],
            }
        )
    return {"service_code": klass.code, "attributes": attributes}


def media_url(request, photo_id: int) -> str:
    signed = signing.dumps(photo_id, salt=MEDIA_SALT)
    return request.build_absolute_uri(reverse("open311:media", args=[signed]))


W3C_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM'  # PostgreSQL's to_char in the session's zone: 2026-12-03T16:05:09+08:00

# One statement for a page of requests: the page's ids (the caller's queryset: filters, order, offset, limit) joined
# to their class, department and public report, with the department's reply (its latest 处置反馈 opinion) and the
# citizen's first photo, the datetimes already formatted. A page of 1,000 is one round trip and no ORM row building.
PAGE_SQL = f"""
WITH page (id) AS ({{ids}})
SELECT c.id, c.case_no, c.status, c.description, c.address, c.grid_code, ST_Y(c.location), ST_X(c.location),
       to_char(c.received_at, '{W3C_FORMAT}'), to_char(c.updated_at, '{W3C_FORMAT}'),
       to_char(c.disposal_deadline, '{W3C_FORMAT}'), m.code, m.name, d.name, p.media_url,
       (SELECT e.opinion FROM cases_caseevent e
         WHERE e.case_id = c.id AND e.action = 'dispose' AND e.opinion <> '' ORDER BY e.at DESC, e.id DESC LIMIT 1),
       (SELECT ph.id FROM cases_casephoto ph
         WHERE p.id IS NOT NULL AND ph.case_id = c.id AND ph.kind = 'before' AND ph.event_id IS NULL
         ORDER BY ph.uploaded_at, ph.id LIMIT 1)
FROM page
JOIN cases_case c ON c.id = page.id
JOIN grids_minorclass m ON m.id = c.minor_class_id
LEFT JOIN core_department d ON d.id = c.department_id
LEFT JOIN exchange_publicreport p ON p.case_id = c.id
ORDER BY c.received_at DESC, c.id DESC
"""
ROW_KEYS = (
    "pk",
    "case_no",
    "status",
    "description",
    "address",
    "grid_code",
    "lat",
    "long",
    "requested",
    "updated",
    "expected",
    "code",
    "name",
    "agency",
    "media_url",
    "reply",
    "photo",
)


def page_rows(ids_queryset) -> list[dict]:
    """The rows of a page whose ids *ids_queryset* (``values("pk")``, ordered and sliced) selects."""
    ids_sql, params = ids_queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE %s", [settings.TIME_ZONE])
        cursor.execute(PAGE_SQL.format(ids=ids_sql), params)
        return [dict(zip(ROW_KEYS, row, strict=True)) for row in cursor.fetchall()]


NOTES_SQL = f"""
SELECT e.case_id, e.action, to_char(e.at, '{W3C_FORMAT}') FROM cases_caseevent e
WHERE e.case_id = ANY(%s) AND e.action = ANY(%s) AND (e.action <> 'check' OR e.data->>'passed' = 'true')
ORDER BY e.case_id, e.at, e.id
"""


def notes(case_ids: list[int]) -> dict[int, list[dict]]:
    """The public timeline of each case (``disclosure.PUBLIC_STEPS``; a failed check left out), one statement."""
    found: dict[int, list[dict]] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE %s", [settings.TIME_ZONE])
        cursor.execute(NOTES_SQL, [case_ids, list(disclosure.PUBLIC_STEPS)])
        labels = {action: str(label) for action, label in disclosure.PUBLIC_STEPS.items()}
        for case_id, action, at in cursor.fetchall():
            found.setdefault(case_id, []).append({"datetime": at, "summary": labels[action], "type": action})
    return found


def requests(request, rows: list[dict], *, extensions: bool = False) -> list[dict]:
    """``rows`` from ``page_rows``; with ``extensions`` one more statement for the public timelines."""
    timelines = notes([row["pk"] for row in rows]) if extensions and rows else {}
    answer = []
    for row in rows:
        media = row["media_url"] or (media_url(request, row["photo"]) if row["photo"] else None)
        item = {
            "service_request_id": row["case_no"],
            "status": "closed" if disclosure.is_closed(row["status"]) else "open",
            "status_notes": row["reply"],
            "service_name": row["name"],
            "service_code": row["code"],
            "description": row["description"],
            "agency_responsible": row["agency"],
            "service_notice": None,
            "requested_datetime": row["requested"],
            "updated_datetime": row["updated"],
            "expected_datetime": row["expected"],
            "address": row["address"],
            "address_id": row["grid_code"],
            "zipcode": None,
            "lat": round(row["lat"], 6),
            "long": round(row["long"], 6),
            "media_url": media,
        }
        if extensions:
            _key, label = disclosure.public_stage(row["status"])
            item["detailed_status"] = row["status"].upper()
            item["detailed_status_label"] = label
            item["notes"] = timelines.get(row["pk"], [])
        answer.append(item)
    return answer
