"""Cases and classes as Open311 GeoReport v2 sees them (dicts ready for ``formats.respond``).

Services are the event classes (小类) of the default standard; a class's filing conditions (立案条件) are its one
attribute, ``condition`` (a single-value list). Service requests are cases the centre has accepted (a citizens'
report becomes one after its on-site verification and acceptance; before that its client holds a token). The
request id is the case number. Everything shown follows ``exchange.public.disclosure``."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from cases.choices import PhotoKind
from cases.models import CasePhoto
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


def _first_photos(case_ids) -> dict[int, int]:
    """The first photo a citizen sent with each public report (what Open311 calls its media)."""
    rows = (
        CasePhoto.objects.filter(case_id__in=list(case_ids), kind=PhotoKind.BEFORE, event__isnull=True)
        .filter(case__public_report__isnull=False)
        .order_by("case_id", "uploaded_at", "id")
        .distinct("case_id")
        .values_list("case_id", "pk")
    )
    return dict(rows)


REQUEST_FIELDS = (
    "pk",
    "case_no",
    "status",
    "description",
    "address",
    "grid_code",
    "location",
    "received_at",
    "updated_at",
    "disposal_deadline",
    "minor_class__code",
    "minor_class__name",
    "department__name",
    "public_report__media_url",
)


def requests(request, rows: list[dict], *, extensions: bool = False) -> list[dict]:
    """``rows`` are ``Case.objects.values(*REQUEST_FIELDS)``: a page costs this one query plus one for the replies,
    one for the photos and, with ``extensions``, one for the timeline."""
    ids = [row["pk"] for row in rows]
    reply = disclosure.replies(ids)
    photos = _first_photos(ids)
    notes = disclosure.steps(ids) if extensions else {}
    answer = []
    for row in rows:
        closed = disclosure.is_closed(row["status"])
        point = row["location"]
        media = row["public_report__media_url"] or (
            media_url(request, photos[row["pk"]]) if row["pk"] in photos else None
        )
        item = {
            "service_request_id": row["case_no"],
            "status": "closed" if closed else "open",
            "status_notes": reply.get(row["pk"]),
            "service_name": row["minor_class__name"],
            "service_code": row["minor_class__code"],
            "description": row["description"],
            "agency_responsible": row["department__name"],
            "service_notice": None,
            "requested_datetime": w3c(row["received_at"]),
            "updated_datetime": w3c(row["updated_at"]),
            "expected_datetime": w3c(row["disposal_deadline"]),
            "address": row["address"],
            "address_id": row["grid_code"],
            "zipcode": None,
            "lat": round(point.y, 6),
            "long": round(point.x, 6),
            "media_url": media,
        }
        if extensions:
            _key, label = disclosure.public_stage(row["status"])
            item["detailed_status"] = row["status"].upper()
            item["detailed_status_label"] = label
            item["notes"] = [
                {"datetime": w3c(step["at"]), "summary": step["label"], "type": step["action"]}
                for step in notes.get(row["pk"], [])
            ]
        answer.append(item)
    return answer
