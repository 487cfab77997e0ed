"""Service functions of the other intake channels (online opinion, leaders' inspections, chat groups, video), shared
by the console (``hotlines.channels.views``) and the API (``hotlines.channels.api``).

Each function checks the actor's permission (``hotlines.*`` of core/roles.py; raising a case also needs
``cases.report_case``, checked by the cases layer), checks its input (``ValidationError`` naming each bad field) and
writes in one transaction. Records are found again by their natural key — an opinion by its item number, an
inspection by inspector, date and route, a chat message by group, handle and time, a problem by its inspection,
description and address, a camera by its code, a video case by camera and capture time — so a double submission
returns what the first one made; the case itself is raised through ``hotlines.channels.cases`` (once per record)."""

from __future__ import annotations

from datetime import UTC, datetime
from datetime import date as date_type

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from cases.exceptions import ActionForbidden
from core.sanitize import date_out_of_window, parse_client_time
from core.uploads import check_photos
from core.workflow import WORKFLOWS, Outcome
from hotlines.channels import cases as channel_cases
from hotlines.channels.models import (
    Camera,
    ChannelEvent,
    ChatGroupReport,
    Inspection,
    InspectionProblem,
    OnlineOpinion,
    RectificationAction,
    VideoCase,
)
from hotlines.channels.workflow import (  # noqa: F401 (the refusals: names callers catch)
    CAMERAS,
    CHAT_REPORTS,
    INSPECTIONS,
    OPINIONS,
    ChannelForbidden,
    ChannelNotFound,
)
from hotlines.choices import CameraWatch, InspectorLevel, OpinionChannel


def _require(actor, *permissions: str) -> None:
    if not actor.has_perms(permissions):
        raise ChannelForbidden(_("Your role does not have permission to do this."))


# ---- field checks --------------------------------------------------------------------------------------------------


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value, name: str, errors: dict, *, limit: int, required: bool = True) -> str:
    if _blank(value):
        if required:
            errors[name] = _("This field is required.")
        return ""
    text = str(value).strip()
    if len(text) > limit:
        errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    return text


def _choice(value, name: str, choices, errors: dict, *, default=None) -> str:
    if _blank(value):
        if default is None:
            errors[name] = _("This field is required.")
            return ""
        return default
    if str(value) not in choices.values:
        errors[name] = _("Not a valid choice.")
        return ""
    return str(value)


def _moment(value, name: str, errors: dict, *, default_now: bool = False) -> datetime | None:
    if _blank(value):
        if default_now:
            return timezone.now()
        errors[name] = _("This field is required.")
        return None
    try:  # the platform-wide window for a client's time (core/sanitize.py)
        return parse_client_time(value)
    except ValueError as exc:
        errors[name] = str(exc)
        return None


def _day(value, name: str, errors: dict) -> date_type | None:
    if _blank(value):
        errors[name] = _("This field is required.")
        return None
    if isinstance(value, date_type):
        return value
    try:
        day = parse_date(str(value).strip())
    except ValueError:
        day = None
    if day is None:
        errors[name] = _("Must be a date (YYYY-MM-DD).")
    elif problem := date_out_of_window(day):
        errors[name] = problem
        return None
    return day


def _coordinates(lng, lat, errors: dict, *, required: bool) -> tuple[float, float] | None:
    if _blank(lng) and _blank(lat):
        if required:
            errors["lng"] = errors["lat"] = _("This field is required.")
        return None
    values = {}
    for name, value, bound in (("lng", lng, 180), ("lat", lat, 90)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            errors[name] = _("Must be a number.") if not _blank(value) else _("This field is required.")
            continue
        if not -bound <= number <= bound:
            errors[name] = _("Out of range.")
            continue
        values[name] = number
    if len(values) != 2:
        return None
    return values["lng"], values["lat"]


def _raise_errors(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _as_forbidden(func, *args, **kwargs):
    """Call a case-raising function; the cases layer's "may not report" becomes ChannelForbidden."""
    try:
        return func(*args, **kwargs)
    except ActionForbidden as exc:
        raise ChannelForbidden(str(exc)) from exc


def _check_image(upload, field: str):
    if upload is None:
        return None
    [checked] = check_photos([upload], field=field)
    return checked


# ---- online opinion ------------------------------------------------------------------------------------------------


RECORD_KINDS = {OnlineOpinion: "opinion", Inspection: "inspection", ChatGroupReport: "chat_report", Camera: "camera"}


def _history(record, action: str, actor, at: datetime | None = None, **data) -> None:
    """One immutable ``ChannelEvent`` of *record* written outside a transition (recording a new record), in the
    caller's transaction (``at``: a replayed past moment); the same recorder as the workflow's runner."""
    flow = WORKFLOWS[RECORD_KINDS[type(record)]]
    flow.record_event(record, action, actor, "", "", at=at or timezone.now(), data=data)


def history(record) -> list[ChannelEvent]:
    """The history of a record of the other channels, oldest first."""
    return list(
        ChannelEvent.objects.filter(record_kind=RECORD_KINDS[type(record)], record_id=record.pk).select_related("actor")
    )


def record_opinion(
    actor,
    *,
    channel,
    external_no,
    title,
    content,
    class_code,
    lng,
    lat,
    author="",
    submitted_at=None,
    address="",
    at: datetime | None = None,
) -> tuple[OnlineOpinion, bool]:
    """Record a message of the government mailbox or the web board and raise its case (source ``online``). The item
    number is the natural key: a repeat returns the opinion (and its case) already recorded."""
    _require(actor, "hotlines.add_onlineopinion")
    errors: dict = {}
    number = _text(external_no, "external_no", errors, limit=50)
    existing = OnlineOpinion.objects.select_related("case").filter(external_no=number).first() if number else None
    if existing is not None and existing.case_id:
        return existing, False
    fields = {
        "channel": _choice(channel, "channel", OpinionChannel, errors),
        "title": _text(title, "title", errors, limit=200),
        "content": _text(content, "content", errors, limit=4000),
        "author": _text(author, "author", errors, limit=50, required=False),
        "submitted_at": _moment(submitted_at, "submitted_at", errors, default_now=True),
    }
    _text(class_code, "class_code", errors, limit=8)
    point = _coordinates(lng, lat, errors, required=True)
    address = _text(address, "address", errors, limit=200, required=False)
    _raise_errors(errors)
    with transaction.atomic():
        opinion, created = OnlineOpinion.objects.get_or_create(external_no=number, defaults=fields)
        had_case = opinion.case_id is not None
        _as_forbidden(
            channel_cases.opinion_to_case,
            opinion,
            actor,
            class_code=str(class_code).strip(),
            lng=point[0],
            lat=point[1],
            address=address,
            at=at,
        )
        if created:
            _history(opinion, "recorded", actor, at)
        if not had_case and opinion.case_id:
            _history(opinion, "case_raised", actor, at, case=opinion.case_id)
    return opinion, created


def reply_opinion(actor, pk: int, *, reply, replied_at=None) -> OnlineOpinion:
    """Record the reply to an opinion and when it was given (now unless told). Replying again replaces the reply;
    the same text again changes nothing."""

    def handle(opinion: OnlineOpinion, now) -> Outcome:
        errors: dict = {}
        text = _text(reply, "reply", errors, limit=4000)
        moment = _moment(replied_at, "replied_at", errors, default_now=True)
        _raise_errors(errors)
        if opinion.reply == text and opinion.replied_at is not None:
            return Outcome(record=False, save=False)
        if moment < opinion.submitted_at:
            raise ValidationError({"replied_at": _("Cannot be before the opinion was submitted.")})
        opinion.reply = text
        opinion.replied_at = moment
        opinion.save(update_fields=["reply", "replied_at"])
        return Outcome(data={"replied_at": moment.isoformat()}, save=False)

    return OPINIONS.run(pk, "replied", actor, handle)


# ---- leaders' inspections ------------------------------------------------------------------------------------------


def record_inspection(actor, *, inspector, level, date, route, note="", problems=()) -> tuple[Inspection, bool]:
    """Record an inspection (natural key: inspector, date, route) with the problems found on it, each raising a
    case; nothing is written unless the inspection and every problem are good (errors of problem *i* are named
    ``problems[i].field``)."""
    _require(actor, "hotlines.add_inspection")
    if problems:
        _require(actor, "hotlines.add_inspectionproblem")
    errors: dict = {}
    key = {
        "inspector": _text(inspector, "inspector", errors, limit=50),
        "date": _day(date, "date", errors),
        "route": _text(route, "route", errors, limit=300),
    }
    fields = {
        "level": _choice(level, "level", InspectorLevel, errors),
        "note": _text(note, "note", errors, limit=4000, required=False),
    }
    if key["date"] and key["date"] > timezone.localdate():
        errors["date"] = _("Cannot be in the future.")
    for index, problem in enumerate(problems):
        for name, message in _problem_errors(problem).items():
            errors[f"problems[{index}].{name}"] = message
    _raise_errors(errors)
    with transaction.atomic():
        inspection, created = Inspection.objects.get_or_create(**key, defaults=fields)
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if created:
            _history(inspection, "recorded", actor)
        for index, problem in enumerate(problems):
            try:
                added, problem_created = _add_problem(actor, inspection, **problem)
                if problem_created:
                    _history(inspection, "problem_added", actor, problem=added.pk, case=added.case_id)
            except ValidationError as exc:
                raise ValidationError(
                    {f"problems[{index}].{name}": messages for name, messages in exc.message_dict.items()}
                ) from exc
    return inspection, created


_PROBLEM_FIELDS = ("description", "class_code", "address", "lng", "lat")


def _problem_errors(problem: dict) -> dict:
    errors: dict = {}
    unknown = set(problem) - set(_PROBLEM_FIELDS)
    if unknown:
        errors["non_field_errors"] = _("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}
    _text(problem.get("description"), "description", errors, limit=4000)
    _text(problem.get("class_code"), "class_code", errors, limit=8)
    _text(problem.get("address"), "address", errors, limit=200, required=False)
    _coordinates(problem.get("lng"), problem.get("lat"), errors, required=True)
    return errors


def _add_problem(actor, inspection: Inspection, *, description, class_code, address="", lng=None, lat=None):
    description = str(description).strip()
    address = str(address or "").strip()
    point = Point(float(lng), float(lat), srid=4326)
    problem = (
        InspectionProblem.objects.select_for_update()
        .filter(inspection=inspection, description=description, address=address)
        .first()
    )
    created = problem is None
    if created:
        problem = InspectionProblem.objects.create(
            inspection=inspection, description=description, address=address, location=point
        )
    _as_forbidden(channel_cases.problem_to_case, problem, actor, class_code=str(class_code).strip())
    return problem, created


def add_problem(actor, inspection_pk: int, **problem) -> tuple[InspectionProblem, bool]:
    """Add a problem found on an inspection and raise its case (source ``inspection``). The same description and
    address on the same inspection is the same problem."""
    added: list = []

    def handle(inspection: Inspection, now) -> Outcome:
        _raise_errors(_problem_errors(problem))
        row, created = _add_problem(actor, inspection, **problem)
        added.extend([row, created])
        return Outcome(data={"problem": row.pk, "case": row.case_id}, record=created, save=False)

    INSPECTIONS.run(inspection_pk, "problem_added", actor, handle)
    return added[0], added[1]


def record_rectification(
    actor, inspection_pk: int, *, title, date, departments=(), result=""
) -> tuple[RectificationAction, bool]:
    """Record a joint rectification decided after an inspection (natural key: inspection, title, date)."""
    from core.models import Department

    recorded: list = []

    def handle(inspection: Inspection, now) -> Outcome:
        errors: dict = {}
        heading = _text(title, "title", errors, limit=200)
        day = _day(date, "date", errors)
        outcome_text = _text(result, "result", errors, limit=4000, required=False)
        wanted = []
        for value in departments or ():
            try:
                wanted.append(int(getattr(value, "pk", value)))
            except (TypeError, ValueError):
                errors["departments"] = _("Must be department ids.")
        found = list(Department.objects.filter(pk__in=wanted, is_active=True))
        if "departments" not in errors and len(found) != len(set(wanted)):
            errors["departments"] = _("Unknown or inactive department.")
        _raise_errors(errors)
        action, created = RectificationAction.objects.get_or_create(
            inspection=inspection, title=heading, date=day, defaults={"result": outcome_text}
        )
        if created:
            action.departments.set(found)
        recorded.extend([action, created])
        return Outcome(data={"rectification": action.pk}, record=created, save=False)

    INSPECTIONS.run(inspection_pk, "rectification_recorded", actor, handle)
    return recorded[0], recorded[1]


# ---- chat groups ---------------------------------------------------------------------------------------------------


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
    _require(actor, "hotlines.add_chatgroupreport")
    errors: dict = {}
    key = {
        "group": _text(group, "group", errors, limit=100),
        "reporter_handle": _text(reporter_handle, "reporter_handle", errors, limit=100),
        "message_at": _moment(message_at, "message_at", errors),
    }
    content = _text(content, "content", errors, limit=4000, required=False)
    _text(class_code, "class_code", errors, limit=8)
    point = _coordinates(lng, lat, errors, required=True)
    address = _text(address, "address", errors, limit=200, required=False)
    checked = None
    try:
        checked = _check_image(screenshot, "screenshot")
    except ValidationError as exc:
        errors.update({name: " ".join(messages) for name, messages in exc.message_dict.items()})
    _raise_errors(errors)
    stored = None
    try:
        with transaction.atomic():
            report, created = ChatGroupReport.objects.select_for_update().get_or_create(
                **key, defaults={"content": content, "location": Point(*point, srid=4326)}
            )
            _as_forbidden(
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
                _history(report, "recorded", actor, at, case=report.case_id, screenshot=bool(stored))
    except BaseException:
        _remove(ChatGroupReport, "screenshot", stored)
        raise
    return report, created


def attach_screenshot(actor, pk: int, screenshot) -> ChatGroupReport:
    """Attach (or replace) the screenshot of a chat-group report; checked by content before anything is written."""
    stored: list[str] = []

    def handle(report: ChatGroupReport, now) -> Outcome:
        if screenshot is None:
            raise ValidationError({"screenshot": _("This field is required.")})
        checked = _check_image(screenshot, "screenshot")
        old = report.screenshot.name or None
        report.screenshot.save(f"chat-{report.pk}.{checked.extension}", checked.file, save=False)
        stored.append(report.screenshot.name)
        report.save(update_fields=["screenshot"])
        outcome = Outcome(data={"replaced": bool(old)}, save=False)
        if old and old != stored[0]:
            outcome.on_commit.append(lambda: _remove(ChatGroupReport, "screenshot", old))
        return outcome

    try:
        return CHAT_REPORTS.run(pk, "screenshot_attached", actor, handle)
    except BaseException:
        _remove(ChatGroupReport, "screenshot", stored[0] if stored else None)
        raise


def _remove(model, field: str, name: str | None) -> None:
    if not name:
        return
    storage = model._meta.get_field(field).storage
    if storage.exists(name):
        storage.delete(name)


# ---- video ---------------------------------------------------------------------------------------------------------


def register_camera(actor, *, code, name, lng, lat, address="", watches=None, is_active=True) -> tuple[Camera, bool]:
    """Add a camera to the registry (natural key: its code; a repeat returns the camera already registered)."""
    _require(actor, "hotlines.add_camera")
    errors: dict = {}
    code = _text(code, "code", errors, limit=30)
    fields = {
        "name": _text(name, "name", errors, limit=100),
        "address": _text(address, "address", errors, limit=200, required=False),
        "watches": _choice(watches, "watches", CameraWatch, errors, default=CameraWatch.ROAD),
        "is_active": bool(is_active),
    }
    point = _coordinates(lng, lat, errors, required=True)
    _raise_errors(errors)
    fields["location"] = Point(*point, srid=4326)
    with transaction.atomic():
        camera, created = Camera.objects.get_or_create(code=code, defaults=fields)
        if created:
            _history(camera, "registered", actor)
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
        _text(class_code, "class_code", errors, limit=8)
        moment = _moment(captured_at, "captured_at", errors)
        text = _text(description, "description", errors, limit=4000, required=False)
        point = _coordinates(lng, lat, errors, required=False)
        checked = None
        try:
            checked = _check_image(snapshot, "snapshot")
        except ValidationError as exc:
            errors.update({name: " ".join(messages) for name, messages in exc.message_dict.items()})
        if not camera.is_active:
            errors["camera"] = _("This camera is not active.")
        _raise_errors(errors)
        moment = moment.astimezone(UTC)  # the case key is made of the ISO text: one instant, one key
        before = VideoCase.objects.filter(camera=camera, captured_at=moment).values_list("pk", flat=True).first()
        video = _as_forbidden(
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
        _remove(VideoCase, "snapshot", stored[0] if stored else None)
        raise
    return raised[0], raised[1]
