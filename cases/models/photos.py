from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.choices import PhotoKind


class CasePhoto(models.Model):
    """A photo of a case: before disposal, after it, or taken on a verification/check visit."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(
        "cases.CaseEvent",
        verbose_name=_("case event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="photos",
        # No database constraint: the timeline is partitioned by year (core/partitions.py), and a partitioned
        # table cannot be referenced by its id alone. Events are never deleted, so the reference cannot dangle.
        db_constraint=False,
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PhotoKind.choices, default=PhotoKind.BEFORE)
    # Indexed: core.files finds the photo (and so its case's visibility) by its stored name on every download.
    image = models.FileField(_("image"), upload_to="cases/%Y/%m/%d/", db_index=True)
    content_type = models.CharField(_("content type"), max_length=20)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case photo")
        verbose_name_plural = _("case photos")
        ordering = ["case", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"
