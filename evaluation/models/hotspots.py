"""热点分析 and the command big screen: the pre-aggregated counts behind the heat tiles and hotspot rankings, and the
kiosk keys that open the big screen without an operator's session.

Both count tables hold cases as *counted for hotspots* (``evaluation.hotspots.aggregation.COUNTED``: every case
received, less those that turned out not to be a problem — not accepted, not registered, merged as a duplicate,
cancelled), by the day they were received (local time):

- ``HeatCell``: per (grain, period, class, source, square cell). Cells are squares of Web-Mercator space aligned with
  the map tiles: 1/16 of a zoom-14 tile (152.87 m of Mercator, about 133 m on the ground at Bishan's latitude: the
  size of a 万米单元网格). Coarser zooms add cells up by bit shifts, so one table serves every zoom. Rows come in four
  grains of detail (``class_id`` 0 = all classes, ``source`` '' = all channels), so an unfiltered tile reads one row
  per cell and day instead of one per case; complete past months are also kept as month rows (grain 1), so a
  year is twelve rows per cell plus the edge days.
- ``HotspotDay``: per (day, unit grid, class, source): rankings of grids, communities (the grid code's first 12
  digits) and classes, and recurring problems (高发问题).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HeatGrain(models.IntegerChoices):
    DAY = 0, _("Day")
    MONTH = 1, _("Month")


class HeatCell(models.Model):
    grain = models.SmallIntegerField(_("grain"), choices=HeatGrain.choices, default=HeatGrain.DAY)
    period = models.DateField(_("period"))  # the day, or the first day of the month
    class_id = models.IntegerField(_("class"), default=0)  # 0: every class
    source = models.CharField(_("source"), max_length=20, default="", blank=True)  # '': every channel
    x = models.IntegerField()  # floor(mercator x / 152.87 m)
    y = models.IntegerField()
    cases = models.IntegerField(_("cases"), default=0)

    class Meta:
        verbose_name = _("heat cell")
        verbose_name_plural = _("heat cells")
        permissions = [("view_hotspots", _("Can see hotspots (heat layer, rankings, recurring problems)"))]
        constraints = [
            # The tile query's index: one range of periods per (grain, class, source), cells and counts read
            # from the index alone.
            models.UniqueConstraint(
                fields=["grain", "class_id", "source", "period", "x", "y"], name="heatcell_key", include=["cases"]
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} ({self.x}, {self.y}): {self.cases}"


class HotspotDay(models.Model):
    """Cases per day and (grid, class, channel), plus totals per grid (class 0, channel '') and per class
    (grid '', channel '')."""

    day = models.DateField(_("day"))
    grid_code = models.CharField(_("grid code"), max_length=15, blank=True)
    class_id = models.IntegerField(_("class"))
    source = models.CharField(_("source"), max_length=20, blank=True)
    cases = models.IntegerField(_("cases"), default=0)

    class Meta:
        verbose_name = _("daily hotspot count")
        verbose_name_plural = _("daily hotspot counts")
        constraints = [
            models.UniqueConstraint(fields=["day", "grid_code", "class_id", "source"], name="hotspotday_key")
        ]
        indexes = [
            # Unfiltered rankings read only the totals rows of a period.
            models.Index(fields=["class_id", "source", "day"], name="hotspotday_grain", include=["grid_code", "cases"])
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.grid_code} class {self.class_id}: {self.cases}"


class ScreenKey(models.Model):
    """A kiosk key (大屏密钥): the signed URL a wall display opens. Only the SHA-256 digest of the token is stored;
    the URL is shown once, when the key is made. A revoked key is refused at the display's next poll."""

    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(_("token digest"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_seen_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("big screen key")
        verbose_name_plural = _("big screen keys")
        ordering = ["-created_at"]
        permissions = [
            ("view_big_screen", _("Can open the command big screen")),
            ("manage_screen_keys", _("Can create and revoke big screen keys")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
