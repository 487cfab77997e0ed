"""Video (视频监控): the cameras and the cases raised from their captures (once per camera and capture time)."""

from __future__ import annotations

from datetime import UTC

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.workflow import Outcome
from hotlines.channels import cases as channel_cases
from hotlines.channels.models import (
    Camera,
    VideoCase,
)
from hotlines.channels.services.checks import (
    as_forbidden,
    check_image,
    choice_field,
    coordinates_field,
    moment_field,
    raise_errors,
    remove_stored,
    require,
    text_field,
)
from hotlines.channels.services.history import record_history
from hotlines.channels.workflow import (
    CAMERAS,
)
from hotlines.choices import CameraWatch


def register_camera(actor, *, code, name, lng, lat, address="", watches=None, is_active=True) -> tuple[Camera, bool]:
    """Add a camera to the registry (natural key: its code; a repeat returns the camera already registered)."""
    require(actor, "hotlines.add_camera")
    errors: dict = {}
    code = text_field(code, "code", errors, limit=30)
    fields = {
        "name": text_field(name, "name", errors, limit=100),
        "address": text_field(address, "address", errors, limit=200, required=False),
        "watches": choice_field(watches, "watches", CameraWatch, errors, default=CameraWatch.ROAD),
        "is_active": bool(is_active),
    }
    point = coordinates_field(lng, lat, errors, required=True)
    raise_errors(errors)
    fields["location"] = Point(*point, srid=4326)
    with transaction.atomic():
        camera, created = Camera.objects.get_or_create(code=code, defaults=fields)
        if created:
            record_history(camera, "registered", actor)
    return camera, created


def camera_case(
    actor, camera_pk: int, *, class_code, captured_at, description="", snapshot=None, lng=None, lat=None
) -> tuple[VideoCase, bool]:
    """Raise a case spotted on a camera (source ``video``) with its snapshot (JPEG/PNG/WebP by content). The same
    camera and capture time make the same case; a bad snapshot writes nothing."""
    raised: list = []
    stored: list[str] = []

    def handle(camera: Camera, now) -> Outcome:
        errors: dict = {}
        text_field(class_code, "class_code", errors, limit=8)
        moment = moment_field(captured_at, "captured_at", errors)
        text = text_field(description, "description", errors, limit=4000, required=False)
        point = coordinates_field(lng, lat, errors, required=False)
        checked = None
        try:
            checked = check_image(snapshot, "snapshot")
        except ValidationError as exc:
            errors.update({name: " ".join(messages) for name, messages in exc.message_dict.items()})
        if not camera.is_active:
            errors["camera"] = _("This camera is not active.")
        raise_errors(errors)
        moment = moment.astimezone(UTC)  # the case key is made of the ISO text: one instant, one key
        before = VideoCase.objects.filter(camera=camera, captured_at=moment).values_list("pk", flat=True).first()
        video = as_forbidden(
            channel_cases.video_case,
            camera,
            actor,
            class_code=str(class_code).strip(),
            captured_at=moment,
            description=text,
            snapshot=checked.file if checked is not None else None,
            lng=point[0] if point else None,
            lat=point[1] if point else None,
        )
        if before is None and video.snapshot.name:
            stored.append(video.snapshot.name)
        raised.extend([video, before is None])
        return Outcome(data={"video_case": video.pk, "case": video.case_id}, record=before is None, save=False)

    try:
        CAMERAS.run(camera_pk, "case_raised", actor, handle)
    except BaseException:
        remove_stored(VideoCase, "snapshot", stored[0] if stored else None)
        raise
    return raised[0], raised[1]
