"""The monthly bulletin (月度通报, 第N期): figures of one month, draft until published, then frozen."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import ImmutableEventError, TimelineEvent

__all__ = ["Bulletin", "BulletinEvent", "BulletinStatus", "FrozenBulletinError", "ImmutableEventError"]


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class FrozenBulletinError(Exception):
    """A published bulletin's figures never change."""


class Bulletin(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number within the year"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(
        _("status"), max_length=10, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT, db_index=True
    )
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("monthly bulletin")
        verbose_name_plural = _("monthly bulletins")
        ordering = ["-period_start", "-number"]
        permissions = [("publish_bulletin", _("Can publish monthly bulletins"))]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="bulletin_year_number"),
            models.UniqueConstraint(fields=["period_start", "period_end"], name="bulletin_period"),
        ]

    def __str__(self) -> str:
        return f"{self.year} 第{self.number}期"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            stored = Bulletin.objects.filter(pk=self.pk).values_list("status", "figures").first()
            if (
                stored
                and stored[0] == BulletinStatus.PUBLISHED
                and (self.status != BulletinStatus.PUBLISHED or self.figures != stored[1])
            ):
                raise FrozenBulletinError("a published bulletin cannot change")
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == BulletinStatus.PUBLISHED


class BulletinEvent(TimelineEvent):
    """Immutable record of each change to a bulletin: created (by beat or on demand), refreshed, published (the
    platform's one event shape, ``TimelineEvent``)."""

    timeline = "bulletin"

    bulletin = models.ForeignKey(Bulletin, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(_("from status"), max_length=10, blank=True)
    to_status = models.CharField(_("to status"), max_length=10)

    class Meta:
        verbose_name = _("bulletin event")
        verbose_name_plural = _("bulletin events")
        ordering = ["bulletin", "at", "id"]

    def __str__(self) -> str:
        return f"{self.bulletin} {self.action}"
