"""The records of the other intake channels (online opinion, leaders' inspections, chat groups, video cameras),
each keeping the cases it produced, and their immutable history (``ChannelEvent``). Part of the ``hotlines`` app
(``hotlines.models`` re-exports them); written only through ``hotlines.channels.services``."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimelineEvent
from hotlines.channels.workflow import CHANNEL_ACTION_LABELS  # noqa: F401 (the admin's filter reads it here)
from hotlines.choices import CameraWatch, InspectorLevel, OpinionChannel


class ChannelEvent(TimelineEvent):
    """One immutable row of the history of a record of the other channels (an online opinion, an inspection, a
    chat-group report, a camera): who recorded, replied, added a problem or a rectification, attached a screenshot
    or raised a case from a camera, and when. The record is named by its kind and id, so one table serves all four;
    the kind is also its timeline's name in the label registry (``hotlines.channels.workflow``)."""

    record_kind = models.CharField(_("record kind"), max_length=20)
    record_id = models.PositiveIntegerField(_("record id"))
    at = models.DateTimeField(_("at"), default=timezone.now)  # indexed with the record (below), not alone

    class Meta:
        verbose_name = _("channel record event")
        verbose_name_plural = _("channel record events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["record_kind", "record_id", "at"], name="channelevent_record")]

    def __str__(self) -> str:
        return f"{self.record_kind} {self.record_id} {self.action}"

    def timeline_name(self) -> str:
        return self.record_kind


class OnlineOpinion(models.Model):
    """政府信箱 / 网络留言: one message from the public, its reply, and the case it produced (if any)."""

    channel = models.CharField(_("channel"), max_length=20, choices=OpinionChannel.choices)
    external_no = models.CharField(_("item number"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    author = models.CharField(_("author"), max_length=50, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("online opinion")
        verbose_name_plural = _("online opinions")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return self.title


class Inspection(models.Model):
    """A leader's city-management inspection (城市综合管理巡查)."""

    inspector = models.CharField(_("inspector"), max_length=50)
    level = models.CharField(_("level"), max_length=20, choices=InspectorLevel.choices)
    date = models.DateField(_("date"), db_index=True)
    route = models.CharField(_("route"), max_length=300)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["inspector", "date", "route"], name="inspection_unique_trip"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.inspector}"


class InspectionProblem(models.Model):
    """A problem found on an inspection; it becomes a case with source ``inspection``."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="problems"
    )
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    location = models.PointField(_("location"), srid=4326, null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("inspection problem")
        verbose_name_plural = _("inspection problems")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description[:40]


class RectificationAction(models.Model):
    """A joint rectification (联合整治) decided after an inspection: departments, date, what was done."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="rectifications"
    )
    title = models.CharField(_("title"), max_length=200)
    departments = models.ManyToManyField("core.Department", verbose_name=_("departments"), blank=True)
    date = models.DateField(_("date"))
    result = models.TextField(_("result"), blank=True)

    class Meta:
        verbose_name = _("joint rectification")
        verbose_name_plural = _("joint rectifications")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title


class ChatGroupReport(models.Model):
    """A report posted in a social chat group (千里眼群 and the like)."""

    group = models.CharField(_("group"), max_length=100)
    reporter_handle = models.CharField(_("reporter handle"), max_length=100)
    message_at = models.DateTimeField(_("message time"), db_index=True)
    content = models.TextField(_("content"), blank=True)
    screenshot = models.ImageField(_("screenshot"), upload_to="chat_groups/%Y/%m/", blank=True)
    location = models.PointField(_("location"), srid=4326, null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("chat-group report")
        verbose_name_plural = _("chat-group reports")
        ordering = ["-message_at"]
        constraints = [
            models.UniqueConstraint(fields=["group", "reporter_handle", "message_at"], name="chatgroup_unique_message"),
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.reporter_handle}"


class Camera(models.Model):
    """A video camera of the registry."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    location = models.PointField(_("location"), srid=4326)
    address = models.CharField(_("address"), max_length=200, blank=True)
    watches = models.CharField(_("watches"), max_length=20, choices=CameraWatch.choices, default=CameraWatch.ROAD)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class VideoCase(models.Model):
    """A case spotted on a camera feed: the camera and the snapshot it came from."""

    camera = models.ForeignKey(Camera, verbose_name=_("camera"), on_delete=models.PROTECT, related_name="video_cases")
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="video_source"
    )
    snapshot = models.ImageField(_("snapshot"), upload_to="video_snapshots/%Y/%m/", blank=True)
    captured_at = models.DateTimeField(_("captured at"))

    class Meta:
        verbose_name = _("video case")
        verbose_name_plural = _("video cases")
        ordering = ["-captured_at"]

    def __str__(self) -> str:
        return f"{self.camera.code} → {self.case_id}"
