"""The case (案卷): one problem found in the streets, from report to closure."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _

from cases.choices import TERMINAL_STATUSES, CaseSource, CaseStatus
from cases.deadlines import DISPOSE_STATUSES
from cases.querysets import CaseQuerySet
from core.partitions import yearly_ids
from grids.choices import ClassKind, Urgency


def _stage_actor(verbose_name) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )


class CaseNumber(models.Model):
    """Daily counter behind the human-readable case number (e.g. 20261122-00042)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case number counter")
        verbose_name_plural = _("case number counters")


# One partition per year of the case id (core/partitions.py ``IdYearPartitions``; migration 0015): a year's cases
# draw ids from a range of their own (2026 → 20,260,000,000,001 …), so the primary key (id) contains the partition
# key and every foreign key to a case stays a plain one. docs/partitioning.md tells why the id and not received_at.
PARTITIONS = yearly_ids("cases_case", companions=(("cases_casekey", "case_id"),))


class Case(models.Model):
    """A case. Its ``status`` changes only through ``cases.services`` (one function per transition); every change
    writes a ``CaseEvent``. Location columns are a snapshot taken at report time, so a re-drawn grid never moves an
    old case."""

    case_no = models.CharField(_("case number"), max_length=20)
    # Both unique through ``CaseKey`` (a partitioned table's unique indexes must contain its partition key) and looked
    # up there (``Case.objects.filter(key__case_no=…)``, ``key__client_uuid``): the case table has no index of its own
    # on either (searches by part of a number use the trigram index).
    client_uuid = models.UUIDField(_("client UUID"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ClassKind.choices)
    minor_class = models.ForeignKey(
        "grids.MinorClass",
        verbose_name=_("class"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # case_class_received leads with it
    )
    condition = models.ForeignKey(
        "grids.FilingCondition",
        verbose_name=_("filing condition"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    component = models.ForeignKey(
        "grids.Component",
        verbose_name=_("component"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        db_index=False,
    )
    source = models.CharField(_("source"), max_length=20, choices=CaseSource.choices, default=CaseSource.COLLECTOR)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    location = models.PointField(_("location"), srid=4326)

    # Snapshot of where the case was when it was reported.
    grid = models.ForeignKey(
        "grids.UnitGrid", verbose_name=_("unit grid"), null=True, blank=True, on_delete=models.SET_NULL
    )
    grid_code = models.CharField(_("grid code"), max_length=15)
    community_code = models.CharField(_("community code"), max_length=12)
    street_code = models.CharField(_("street code"), max_length=9)
    district_code = models.CharField(_("district code"), max_length=6)

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_cases",
    )
    reported_at = models.DateTimeField(_("reported at (client)"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)

    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.REPORTED)
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("disposal department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    suggested_department = models.ForeignKey(
        "core.Department",
        verbose_name=_("suggested department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned collector"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_tasks",
        db_index=False,
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        db_index=False,
    )

    # The current stage and its deadline (from the working calendar).
    stage_started_at = models.DateTimeField(_("stage started at"), null=True, blank=True)
    stage_deadline = models.DateTimeField(_("stage deadline"), null=True, blank=True, db_index=True)

    # Disposal: the limit fixed by the filing condition, and the bundled deadline (extensions added, suspended time
    # left out). ``disposal_minutes_left`` holds the working minutes remaining while the case is suspended.
    disposal_limit_value = models.DecimalField(
        _("disposal limit"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    disposal_limit_unit = models.CharField(_("disposal limit unit"), max_length=20, blank=True)
    disposal_deadline = models.DateTimeField(_("disposal deadline"), null=True, blank=True)
    disposal_minutes_left = models.FloatField(_("working minutes left when suspended"), null=True, blank=True)

    # Milestones.
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    disposed_at = models.DateTimeField(_("disposed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_in = models.CharField(_("cancelled at status"), max_length=20, blank=True)

    # Who handled each stage (``cases.choices.STAGE_ACTORS``): the last person to verify, accept or reject, register
    # or refuse, dispatch, check, close. Plain ids, neither constrained nor indexed: intake writes them empty, and
    # they keep naming the person after the account is gone, as the timeline does.
    verifier = _stage_actor(_("verified by"))
    acceptor = _stage_actor(_("accepted by"))
    registrar = _stage_actor(_("registered by"))
    dispatcher = _stage_actor(_("dispatched by"))
    checker = _stage_actor(_("checked by"))
    closer = _stage_actor(_("closed by"))

    # On-time flags, fixed when each stage ends (None while the stage has not ended).
    accepted_on_time = models.BooleanField(_("accepted on time"), null=True, blank=True)
    verified_on_time = models.BooleanField(_("verified on time"), null=True, blank=True)
    registered_on_time = models.BooleanField(_("registered on time"), null=True, blank=True)
    dispatched_on_time = models.BooleanField(_("dispatched on time"), null=True, blank=True)
    disposed_on_time = models.BooleanField(_("disposed on time"), null=True, blank=True)
    checked_on_time = models.BooleanField(_("checked on time"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("closed on time"), null=True, blank=True)

    is_overdue = models.BooleanField(_("overdue"), default=False)
    is_urged = models.BooleanField(_("urged"), default=False)
    verified = models.BooleanField(_("verified on site"), null=True, blank=True)
    rework_count = models.PositiveSmallIntegerField(_("rework count"), default=0)
    return_count = models.PositiveSmallIntegerField(_("return count"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extension count"), default=0)
    suspension_count = models.PositiveSmallIntegerField(_("suspension count"), default=0)
    urge_count = models.PositiveSmallIntegerField(_("urge count"), default=0)

    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    # Every single character and pair of characters of the description and address (PostgreSQL function
    # ``cases_short_grams``, migration 0005): a one- or two-character search — common in Chinese, too short for
    # trigrams — is then an index look-up instead of a scan of the table.
    short_grams = models.GeneratedField(
        expression=Func(F("description"), F("address"), function="cases_short_grams"),
        output_field=SearchVectorField(),
        db_persist=True,
        verbose_name=_("one- and two-character search terms"),
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at"]
        permissions = [
            ("report_case", _("Can report cases")),
            ("verify_case", _("Can verify and check cases on site")),
            ("accept_case", _("Can accept or reject cases")),
            ("register_case", _("Can register, refuse and close cases")),
            ("dispatch_case", _("Can dispatch cases and decide department requests")),
            ("dispose_case", _("Can sign and dispose of cases for a department")),
            ("approve_cancel_case", _("Can approve cancellations")),
            ("urge_case", _("Can urge cases")),
            ("view_all_cases", _("Can see every case")),
            # Duty rosters (core/roles.py WATCH_OVERDUE): who is told that a stage ran late (cases.tasks).
            ("watch_accept_overdue", _("Is told when acceptance runs late")),
            ("watch_verify_overdue", _("Is told when verification runs late")),
            ("watch_register_overdue", _("Is told when registration runs late")),
            ("watch_dispatch_overdue", _("Is told when dispatch runs late")),
            ("watch_dispose_overdue", _("Is told when disposal runs late")),
            ("watch_check_overdue", _("Is told when the check runs late")),
            ("watch_close_overdue", _("Is told when closure runs late")),
        ]
        # Every index is written by every report, so intake pays for each one (bench/intake.py): columns empty when a
        # case is reported get partial indexes (a strict comparison such as ``closed_at >= …`` or ``component_id = …``
        # implies IS NOT NULL, so those queries still use them), codes get plain btrees without the LIKE copies, and
        # the department and class are served by the composite indexes that lead with them.
        indexes = [
            models.Index(fields=["grid_code"], name="case_grid_code"),
            models.Index(fields=["community_code"], name="case_community_code"),
            models.Index(fields=["street_code"], name="case_street_code"),
            *(
                models.Index(fields=[column], name=f"case_{column}", condition=Q(**{f"{column}__isnull": False}))
                for column in (
                    "component",
                    "assigned_collector",
                    "merged_into",
                    "disposal_deadline",
                    "dispatched_at",
                    "disposed_at",
                    "closed_at",
                )
            ),
            # Overdue cases by department, newest first: a department's overdue list, and with the class index a
            # class + department + overdue filter answered from two bitmaps without visiting the table (0.57 s at
            # 10 M cases when the department had to be read from the rows). Reports are not overdue: intake writes
            # no entry here.
            models.Index(
                fields=["department", "received_at"], name="case_overdue_department", condition=Q(is_overdue=True)
            ),
            models.Index(fields=["status", "received_at"], name="case_status_received"),
            models.Index(fields=["department", "status"], name="case_department_status"),
            models.Index(fields=["minor_class", "received_at"], name="case_class_received"),
            models.Index(
                fields=["stage_deadline"],
                name="case_open_deadline",
                condition=~Q(status__in=sorted(s.value for s in TERMINAL_STATUSES)),
            ),
            # Lists of open cases newest first (the supervisor's "open" queue, ``status=reported,registered``): the
            # case table is partitioned by year, and a plain received_at index would make PostgreSQL walk every old
            # year's partition backwards looking for an open case (its Merge Append needs a first row from each);
            # this one holds only open cases, so an old year answers at once (bench/README.md, province.py).
            models.Index(
                fields=["received_at"],
                name="case_open_received",
                condition=Q(status__in=sorted(s.value for s in CaseStatus if s not in TERMINAL_STATUSES)),
            ),
            # Console queue counts: one grouped count of the open cases by (status, overdue), index-only.
            models.Index(
                fields=["status", "is_overdue"],
                name="case_open_status_overdue",
                condition=Q(status__in=sorted(s.value for s in CaseStatus if s not in TERMINAL_STATUSES)),
            ),
            # Open cases whose disposal deadline an extension moved (the home page's "turning yellow" reads each of
            # them: 1,235 of 217,478 open cases at 10 M, found in 103 ms through the open-deadline index). Reports are
            # never extended: intake writes no entry here. Partial on the disposal stage's statuses, the very list
            # ``cases.attention`` asks for (PostgreSQL uses the index only if the query's list implies its own).
            models.Index(
                fields=["stage_deadline"],
                name="case_extended_deadline",
                condition=Q(extension_count__gt=0, status__in=list(DISPOSE_STATUSES)),
            ),
            # Free-text search of the lists (``q``: LIKE / ~* '…'), through trigrams (pg_trgm).
            GinIndex(fields=["case_no"], opclasses=["gin_trgm_ops"], name="case_no_trgm"),
            GinIndex(fields=["description"], opclasses=["gin_trgm_ops"], name="case_description_trgm"),
            GinIndex(fields=["address"], opclasses=["gin_trgm_ops"], name="case_address_trgm"),
            GinIndex(fields=["short_grams"], name="case_short_grams"),
        ]

    def __str__(self) -> str:
        return self.case_no

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL_STATUSES
