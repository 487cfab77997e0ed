"""Service functions of the other intake channels (online opinion, leaders' inspections, chat groups, video), shared
by the console (``hotlines.channels.views``) and the API (``hotlines.channels.api``).

Each function checks the actor's permission (``hotlines.*`` of core/roles.py; raising a case also needs
``cases.report_case``, checked by the cases layer), checks its input (``ValidationError`` naming each bad field) and
writes in one transaction. Records are found again by their natural key — an opinion by its item number, an
inspection by inspector, date and route, a chat message by group, handle and time, a problem by its inspection,
description and address, a camera by its code, a video case by camera and capture time — so a double submission
returns what the first one made; the case itself is raised through ``hotlines.channels.cases`` (once per record).

The modules: ``opinions``, ``inspections``, ``chat`` and ``video`` (one per channel), ``history`` (the records'
events), ``checks`` (permission and field checks they share)."""

from hotlines.channels.services.chat import attach_screenshot, record_chat_report
from hotlines.channels.services.history import RECORD_KINDS, history
from hotlines.channels.services.inspections import add_problem, record_inspection, record_rectification
from hotlines.channels.services.opinions import record_opinion, reply_opinion
from hotlines.channels.services.video import camera_case, register_camera
from hotlines.channels.workflow import ChannelForbidden, ChannelNotFound

__all__ = [
    "RECORD_KINDS",
    "ChannelForbidden",
    "ChannelNotFound",
    "add_problem",
    "attach_screenshot",
    "camera_case",
    "history",
    "record_chat_report",
    "record_inspection",
    "record_opinion",
    "record_rectification",
    "register_camera",
    "reply_opinion",
]
