"""Who may write which record of the other intake channels: every write of the channel services against every role
(the channels' role × action matrix, like the cases' in tests/cases/test_permissions.py). A write that raises a case
also needs the case layer's report permission; a refused write leaves no history row."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.roles import ROLE_PERMISSIONS
from hotlines.channels import services
from tests.fixtures.small_city import INSIDE
from tests.hotlines.test_channels_console import png_bytes

pytestmark = pytest.mark.django_db

PERSONAS = ["collector", "operator", "leader", "dispatcher", "handler", "supervisor", "finance", "admin", "platform"]
ROLE_OF = {"leader": "shift_leader", "platform": "hotline_platform"}
RAISES_A_CASE = "cases.report_case"
_serial = itertools.count(1)


def _png(name: str = "shot.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def _opinion(actor):
    opinion, _created = services.record_opinion(
        actor,
        channel="mailbox",
        external_no=f"XX-{next(_serial)}",
        title="垃圾堆积",
        content="东关路垃圾三天未清运",
        class_code="06010",
        lng=INSIDE[0],
        lat=INSIDE[1],
    )
    return opinion


def _inspection(actor):
    inspection, _created = services.record_inspection(
        actor, inspector="王局长", level="bureau_leader", date=timezone.localdate(), route=f"东关路{next(_serial)}"
    )
    return inspection


def _chat_report(actor):
    report, _created = services.record_chat_report(
        actor,
        group="千里眼群",
        reporter_handle=f"市民{next(_serial)}",
        message_at=timezone.now() - timedelta(minutes=30),
        class_code="06010",
        lng=INSIDE[0],
        lat=INSIDE[1],
        screenshot=_png(),
    )
    return report


def _camera(actor):
    camera, _created = services.register_camera(
        actor, code=f"CAM{next(_serial):04d}", name="东关路口", lng=INSIDE[0], lat=INSIDE[1]
    )
    return camera


# action → (the record it writes history on, made by the operator or the administrator beforehand or None when the
# action creates it; the write; the permissions it needs; the history row it leaves)
WRITES = {
    "record_opinion": (None, lambda actor, record: _opinion(actor), ["hotlines.add_onlineopinion", RAISES_A_CASE]),
    "reply_opinion": (
        _opinion,
        lambda actor, record: services.reply_opinion(actor, record.pk, reply="已安排清运"),
        ["hotlines.change_onlineopinion"],
    ),
    "record_inspection": (None, lambda actor, record: _inspection(actor), ["hotlines.add_inspection"]),
    "add_problem": (
        _inspection,
        lambda actor, record: services.add_problem(
            actor, record.pk, description="占道经营", class_code="06010", lng=INSIDE[0], lat=INSIDE[1]
        ),
        ["hotlines.add_inspectionproblem", RAISES_A_CASE],
    ),
    "record_rectification": (
        _inspection,
        lambda actor, record: services.record_rectification(
            actor, record.pk, title="联合整治", date=timezone.localdate()
        ),
        ["hotlines.add_rectificationaction"],
    ),
    "record_chat_report": (
        None,
        lambda actor, record: _chat_report(actor),
        ["hotlines.add_chatgroupreport", RAISES_A_CASE],
    ),
    "attach_screenshot": (
        _chat_report,
        lambda actor, record: services.attach_screenshot(actor, record.pk, _png("again.png")),
        ["hotlines.change_chatgroupreport"],
    ),
    "register_camera": (None, lambda actor, record: _camera(actor), ["hotlines.add_camera"]),
    "camera_case": (
        _camera,
        lambda actor, record: services.camera_case(
            actor, record.pk, class_code="06010", captured_at=timezone.now() - timedelta(minutes=5), snapshot=_png()
        ),
        ["hotlines.add_videocase", RAISES_A_CASE],
    ),
}
# Who makes the record an action starts from: the operator, except cameras (only the administrator registers them).
MAKER = {"camera_case": "admin"}


def expected_to_succeed(persona: str, action: str) -> bool:
    held = ROLE_PERMISSIONS[ROLE_OF.get(persona, persona)]
    return held == ["*"] or all(permission in held for permission in WRITES[action][2])


def _history_rows() -> int:
    from hotlines.models import ChannelEvent

    return ChannelEvent.objects.count()


@pytest.mark.parametrize("action", sorted(WRITES))
@pytest.mark.parametrize("persona", PERSONAS)
def test_role_matrix(persona, action, cast, platform, base_map, garbage_class, settings, tmp_path):
    """Each role × each write: allowed roles succeed and the record's history names them; others get 403
    (``ChannelForbidden``) with nothing written."""
    settings.MEDIA_ROOT = str(tmp_path)
    people = {**cast, "platform": platform}
    make, write, _needed = WRITES[action]
    record = make(people[MAKER.get(action, "operator")]) if make else None
    user = people[persona]
    rows_before = _history_rows()
    if expected_to_succeed(persona, action):
        result = write(user, record)
        written = record or (result[0] if isinstance(result, tuple) else result)
        last = services.history(written)[-1]
        assert _history_rows() > rows_before
        assert (last.actor, last.role) == (user, user.role)
        return
    with pytest.raises(services.ChannelForbidden):
        write(user, record)
    assert _history_rows() == rows_before


def test_every_write_has_a_role_that_may_do_it():
    for action, (_make, _write, needed) in WRITES.items():
        assert any(all(p in perms for p in needed) for perms in ROLE_PERMISSIONS.values() if perms != ["*"]) or (
            action == "register_camera"  # the camera registry is the administrator's base data
        ), action
