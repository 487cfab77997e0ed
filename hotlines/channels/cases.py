"""Cases from the other intake channels. Each channel keeps its own record (online opinion, inspection problem,
chat-group report, camera snapshot) and the case it produced; raising the case goes through the cases layer's
intake service, so it is numbered, located and timed like any report. Raising twice returns the same case (the
case's client UUID is derived from the record)."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import transaction

from cases.choices import CaseSource
from cases.models import Case
from cases.services import report_case
from hotlines.channels.models import Camera, ChatGroupReport, InspectionProblem, OnlineOpinion, VideoCase

CHANNEL_NAMESPACE = uuid.UUID("0b7c51f8-23a4-4c7e-a0a9-5d1e9c3f5678")


def _client_uuid(kind: str, pk: int) -> uuid.UUID:
    return uuid.uuid5(CHANNEL_NAMESPACE, f"{kind}:{pk}")


def _raise(record, kind: str, source: str, actor, *, class_code, lng, lat, description, address, at) -> Case:
    with transaction.atomic():
        locked = type(record).objects.select_for_update().get(pk=record.pk)
        if locked.case_id:
            return locked.case
        case, _created = report_case(
            reporter=actor,
            client_uuid=_client_uuid(kind, record.pk),
            class_code=class_code,
            lng=lng,
            lat=lat,
            description=description[:4000],
            address=address[:200],
            source=source,
            at=at,
        )
        locked.case = case
        locked.save(update_fields=["case"])
        record.case = case
        return case


def _point(record, lng, lat) -> tuple:
    location = getattr(record, "location", None)
    if lng in (None, "") and location is not None:
        return location.x, location.y
    return lng, lat


def opinion_to_case(
    opinion: OnlineOpinion, actor, *, class_code: str, lng, lat, address: str = "", at: datetime | None = None
) -> Case:
    return _raise(
        opinion,
        "opinion",
        CaseSource.ONLINE,
        actor,
        class_code=class_code,
        lng=lng,
        lat=lat,
        description=f"{opinion.title}\n{opinion.content}",
        address=address,
        at=at,
    )


def problem_to_case(
    problem: InspectionProblem, actor, *, class_code: str, lng=None, lat=None, at: datetime | None = None
) -> Case:
    lng, lat = _point(problem, lng, lat)
    inspection = problem.inspection
    return _raise(
        problem,
        "inspection",
        CaseSource.INSPECTION,
        actor,
        class_code=class_code,
        lng=lng,
        lat=lat,
        description=f"{problem.description}（{inspection.get_level_display()}{inspection.inspector}巡查）",
        address=problem.address,
        at=at,
    )


def chat_report_to_case(
    report: ChatGroupReport, actor, *, class_code: str, lng=None, lat=None, address: str = "", at=None
) -> Case:
    lng, lat = _point(report, lng, lat)
    return _raise(
        report,
        "chat",
        CaseSource.CHAT_GROUP,
        actor,
        class_code=class_code,
        lng=lng,
        lat=lat,
        description=f"{report.content}（{report.group} @{report.reporter_handle}）",
        address=address,
        at=at,
    )


def video_case(
    camera: Camera,
    actor,
    *,
    class_code: str,
    captured_at: datetime,
    description: str = "",
    snapshot=None,
    lng=None,
    lat=None,
) -> VideoCase:
    """A case spotted on a camera feed: at the camera's position unless a point is given; keeps camera and
    snapshot. The same camera and capture time make the same case."""
    key = uuid.uuid5(CHANNEL_NAMESPACE, f"video:{camera.pk}:{captured_at.isoformat()}")
    with transaction.atomic():
        case, _created = report_case(
            reporter=actor,
            client_uuid=key,
            class_code=class_code,
            lng=camera.location.x if lng is None else lng,
            lat=camera.location.y if lat is None else lat,
            description=description or camera.name,
            address=camera.address,
            source=CaseSource.VIDEO,
            at=captured_at,
        )
        video, created = VideoCase.objects.get_or_create(
            case=case, defaults={"camera": camera, "captured_at": captured_at}
        )
        if created and snapshot is not None:
            video.snapshot.save(f"{camera.code}-{captured_at:%Y%m%d%H%M%S}.jpg", snapshot, save=True)
    return video
