"""Shifts, track points and presence alerts.

``TrackPoint`` lives in a PostgreSQL table partitioned by day (``recorded_at``, China time days): months of tracks
stay fast because a day's query reads one partition, and old days can be detached and archived whole
(``partitions.py``). Its primary key is (collector, recorded_at): a position is one per collector and instant, so a
batch sent twice (a lost answer on a weak signal) is stored once. The table is created by the migration's SQL;
Django only reads and writes it (``managed = False``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _


class PatrolShift(models.Model):
    """班次: the hours a collector is on duty, e.g. 早班 07:00–15:00. A shift may run past midnight."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("patrol shift")
        verbose_name_plural = _("patrol shifts")
        ordering = ["starts", "name"]

    def __str__(self) -> str:
        return f"{self.name} {self.starts:%H:%M}–{self.ends:%H:%M}"


class TrackPoint(models.Model):
    pk = models.CompositePrimaryKey("collector", "recorded_at")
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, verbose_name=_("collector"), db_constraint=False
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    received_at = models.DateTimeField(_("received at"))
    location = models.PointField(_("location"), srid=4326)
    accuracy = models.FloatField(_("accuracy (m)"), null=True)

    class Meta:
        managed = False
        db_table = "grids_trackpoint"
        verbose_name = _("track point")
        verbose_name_plural = _("track points")
        permissions = [
            ("report_track", _("Can send own patrol track")),
            ("view_patrol", _("Can see collectors' tracks and presence")),
            ("receive_patrol_alerts", _("Receives presence alerts")),
        ]


class AlertKind(models.TextChoices):
    LEFT_AREA = "left_area", _("Left the duty area")
    SILENT = "silent", _("No position received")


class PatrolAlert(models.Model):
    """One episode of a collector out of the duty area or silent, from when it was found until it ended."""

    collector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("collector"))
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    started_at = models.DateTimeField(_("since"))
    found_at = models.DateTimeField(_("found at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("presence alert")
        verbose_name_plural = _("presence alerts")
        ordering = ["-found_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["collector", "kind"], condition=models.Q(ended_at__isnull=True), name="patrolalert_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.collector} {self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M}"
