"""The case tally: how many cases each (department, status, overdue flag) holds, kept by the database.

Rows are signed counts, written only by the case table's statement triggers (migration 0018) and folded by
``cases.tally`` (which explains the scheme); nothing else writes them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseTally(models.Model):
    # No database constraint and no index: the rows are written by the case table's triggers in every case write's
    # transaction (a foreign-key check per write would be paid by intake), and the table holds a few hundred rows.
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("disposal department"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20)
    is_overdue = models.BooleanField(_("overdue"))
    cases = models.BigIntegerField(_("cases"))  # signed: a case leaving the group is −1

    class Meta:
        verbose_name = _("case tally")
        verbose_name_plural = _("case tallies")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.department_id or '-'} {self.status} {'overdue' if self.is_overdue else ''} {self.cases:+d}"
