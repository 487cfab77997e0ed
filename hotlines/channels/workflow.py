"""The changes to a record of the other channels, as tables of the platform's transition contract (``core.workflow``).

The records have no status: every action is open in any state (``ANY_STATE``), and the table says which permission
it needs and how its history row is labelled. Each change to an existing record runs through the runner —
permission (``ChannelForbidden``, 403), the row locked (``ChannelNotFound``, 404 naming the kind of record), the
handler in ``hotlines.channels.services`` (400 naming each bad field), one immutable ``ChannelEvent`` (none for an
idempotent repeat). Recording a new record is not a transition: its service writes the history's first row,
``recorded`` or ``registered``. One workflow per kind of record, named like ``ChannelEvent.record_kind``, so the
label registry answers the history of each."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workflow import ANY_STATE, Forbidden, NotVisible, Transition, Workflow, labels_of, role_of, table


class ChannelForbidden(Forbidden):
    """The actor's role may not do this (→ 403)."""


class ChannelNotFound(NotVisible):
    """No such record (→ 404)."""


class OpinionNotFound(ChannelNotFound):
    public_message = _("No such online opinion.")


class InspectionNotFound(ChannelNotFound):
    public_message = _("No such inspection.")


class ChatReportNotFound(ChannelNotFound):
    public_message = _("No such chat-group report.")


class CameraNotFound(ChannelNotFound):
    public_message = _("No such camera.")


FORBIDDEN = _("Your role does not have permission to do this.")
RECORDED = {"recorded": _("Recorded"), "case_raised": _("Case raised")}  # the rows of recording a new record


def _t(action: str, permission: str, label) -> Transition:
    return Transition(action, ANY_STATE, None, f"hotlines.{permission}", label)


def _recorder(kind: str):
    def record(obj, action, actor, from_status, to_status, *, at, opinion="", data=None):
        from hotlines.channels.models import ChannelEvent

        return ChannelEvent.objects.create(
            record_kind=kind, record_id=obj.pk, action=action, actor=actor, role=role_of(actor), at=at, data=data or {}
        )

    return record


def _workflow(kind: str, model: str, not_visible, rows, labels=None) -> Workflow:
    return Workflow(
        name=kind,
        model=model,
        transitions=table(*rows),
        state_field="",
        not_visible=not_visible,
        forbidden=ChannelForbidden,
        record=_recorder(kind),
        forbidden_message=FORBIDDEN,
        labels={**RECORDED, **(labels or {})},
    )


OPINIONS = _workflow(
    "opinion", "hotlines.OnlineOpinion", OpinionNotFound, [_t("replied", "change_onlineopinion", _("Replied"))]
)
INSPECTIONS = _workflow(
    "inspection",
    "hotlines.Inspection",
    InspectionNotFound,
    [
        _t("problem_added", "add_inspectionproblem", _("Problem added")),
        _t("rectification_recorded", "add_rectificationaction", _("Joint rectification recorded")),
    ],
)
CHAT_REPORTS = _workflow(
    "chat_report",
    "hotlines.ChatGroupReport",
    ChatReportNotFound,
    [_t("screenshot_attached", "change_chatgroupreport", _("Screenshot attached"))],
)
CAMERAS = _workflow(
    "camera",
    "hotlines.Camera",
    CameraNotFound,
    [_t("case_raised", "add_videocase", _("Case raised"))],
    labels={"registered": _("Camera registered")},
)

# Every label of the four histories, for the admin's filter of ChannelEvent.
CHANNEL_ACTION_LABELS = {
    action: label
    for flow in (OPINIONS, INSPECTIONS, CHAT_REPORTS, CAMERAS)
    for action, label in labels_of(flow.name).items()
}
