"""The case's unique keys, kept beside the partitioned case table.

A partitioned table's unique indexes must contain its partition key (the case table's is the id), so the case
number and the client's UUID cannot be unique in ``cases_case`` itself. ``CaseKey`` holds one row per case with
both, unique across every year: a repeated ``client_uuid`` fails the insert (intake answers that conflict with the
case already made) even when the first submission lies in last year's partition. A database trigger writes the row
in the statement that inserts the case (migration 0015), whatever inserts it — intake's SQL, the ORM, a COPY.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKey(models.Model):
    # No database constraint: the row is written by the database itself from the inserted case (the trigger), and a
    # foreign-key check into the partitioned case table per report is what batch intake would pay for it. Cases are
    # never deleted (their events PROTECT them); the ORM's CASCADE removes the key with a case all the same.
    case = models.OneToOneField(
        "cases.Case",
        primary_key=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="key",
        verbose_name=_("case"),
    )
    case_no = models.CharField(_("case number"), max_length=20)
    client_uuid = models.UUIDField(_("client UUID"), null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("case key")
        verbose_name_plural = _("case keys")
        # Not ``unique=True``: that would add a varchar_pattern_ops copy nobody reads.
        constraints = [models.UniqueConstraint(fields=["case_no"], name="casekey_case_no_unique")]

    def __str__(self) -> str:
        return self.case_no
