"""Chat-group reports (群组上报): a message recorded once (and its case), its screenshot."""

from __future__ import annotations

from datetime import datetime

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.workflow import Outcome
from hotlines.channels import cases as channel_cases
from hotlines.channels.models import (
    ChatGroupReport,
)
from hotlines.channels.services.checks import (
    as_forbidden,
    check_image,
    coordinates_field,
    moment_field,
    raise_errors,
    remove_stored,
    require,
    text_field,
)
from hotlines.channels.services.history import record_history
from hotlines.channels.workflow import (
    CHAT_REPORTS,
)


def record_chat_report(
    actor,
    *,
    group,
    reporter_handle,
    message_at,
    class_code,
    content="",
    screenshot=None,
    lng=None,
    lat=None,
    address="",
    at: datetime | None = None,
) -> tuple[ChatGroupReport, bool]:
    """Record a report posted in a chat group (natural key: group, handle, message time) with its screenshot
    (JPEG/PNG/WebP by content) and raise its case (source ``chat_group``). A bad screenshot writes nothing."""
    require(actor, "hotlines.add_chatgroupreport")
    errors: dict = {}
    key = {
        "group": text_field(group, "group", errors, limit=100),
        "reporter_handle": text_field(reporter_handle, "reporter_handle", errors, limit=100),
        "message_at": moment_field(message_at, "message_at", errors),
    }
    content = text_field(content, "content", errors, limit=4000, required=False)
    text_field(class_code, "class_code", errors, limit=8)
    point = coordinates_field(lng, lat, errors, required=True)
    address = text_field(address, "address", errors, limit=200, required=False)
    checked = None
    try:
        checked = check_image(screenshot, "screenshot")
    except ValidationError as exc:
        errors.update({name: " ".join(messages) for name, messages in exc.message_dict.items()})
    raise_errors(errors)
    stored = None
    try:
        with transaction.atomic():
            report, created = ChatGroupReport.objects.select_for_update().get_or_create(
                **key, defaults={"content": content, "location": Point(*point, srid=4326)}
            )
            as_forbidden(
                channel_cases.chat_report_to_case,
                report,
                actor,
                class_code=str(class_code).strip(),
                address=address,
                at=at,
            )
            if checked is not None and not report.screenshot:
                report.screenshot.save(f"chat-{report.pk}.{checked.extension}", checked.file, save=False)
                stored = report.screenshot.name
                report.save(update_fields=["screenshot"])
            if created:
                record_history(report, "recorded", actor, at, case=report.case_id, screenshot=bool(stored))
    except BaseException:
        remove_stored(ChatGroupReport, "screenshot", stored)
        raise
    return report, created


def attach_screenshot(actor, pk: int, screenshot) -> ChatGroupReport:
    """Attach (or replace) the screenshot of a chat-group report; checked by content before anything is written."""
    stored: list[str] = []

    def handle(report: ChatGroupReport, now) -> Outcome:
        if screenshot is None:
            raise ValidationError({"screenshot": _("This field is required.")})
        checked = check_image(screenshot, "screenshot")
        old = report.screenshot.name or None
        report.screenshot.save(f"chat-{report.pk}.{checked.extension}", checked.file, save=False)
        stored.append(report.screenshot.name)
        report.save(update_fields=["screenshot"])
        outcome = Outcome(data={"replaced": bool(old)}, save=False)
        if old and old != stored[0]:
            outcome.on_commit.append(lambda: remove_stored(ChatGroupReport, "screenshot", old))
        return outcome

    try:
        return CHAT_REPORTS.run(pk, "screenshot_attached", actor, handle)
    except BaseException:
        remove_stored(ChatGroupReport, "screenshot", stored[0] if stored else None)
        raise
