"""The per-case fact table and the daily rollups every figure of the evaluation layer is read from.

- ``CaseFact``: one row per open (or reworked) case — where it belongs (day received, department, community,
  grid, source, kind, the people who handled each stage) and one 0/1 or count column per *measure*
  (``CASE_MEASURES``), as of the case's current state: what upkeep subtracts when the case moves on.
- ``DepartmentDay``: measures summed per (day, department) — department ranking and every total;
- ``CommunityDay``: per (day, community) — communities, and streets (codes nest by prefix);
- ``SourceDay``: per (day, intake channel, kind);
- ``GridDay``: per (day, unit grid), only what collectors' missed reports need.
- ``PersonDay``: per (day, user) what each person handled in their role (collector, operator, shift leader,
  dispatcher), for the per-person assessments.

A case counts in the period in which it was *received* (cohort by intake day, local time), with its figures as of
now: a case received in March and closed in April raises March's closure rate. Rows are maintained on every
committed transition (``evaluation.rollups.upkeep``) and rebuilt from scratch by ``manage.py rebuild_rollups``.
The SQL that computes each measure lives next to its column here, so the table and its rebuild cannot disagree.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.choices import STAGE_ACTORS
from core.partitions import yearly

# Statuses as SQL literals (the cases layer's vocabulary; kept as text so this module has no import-time coupling).
_CANCELLED = "'cancelled'"
_DISPOSAL_STATUSES = "('dispatched', 'disposing', 'return_requested')"
_PUBLIC_SOURCES = "('hotline_12345', 'hotline_12319', 'online', 'chat_group', 'media', 'public')"

# Measure name → SQL over ``c`` (the cases_case row). Each is 0/1 per case unless it is a ``*_count``.
CASE_MEASURES: dict[str, str] = {
    "reported": "1",
    "public_reports": f"(c.source IN {_PUBLIC_SOURCES})::int",
    "to_verify": "(c.verified_on_time IS NOT NULL OR c.status = 'verifying')::int",
    "verified_on_time": "COALESCE(c.verified_on_time, false)::int",
    "public_verified": f"(c.source IN {_PUBLIC_SOURCES} AND c.verified IS TRUE)::int",
    "to_accept": "(c.accepted_on_time IS NOT NULL OR c.status = 'reported')::int",
    "accepted": "(c.accepted_at IS NOT NULL)::int",
    "accepted_on_time": "(c.accepted_at IS NOT NULL AND c.accepted_on_time IS TRUE)::int",
    "rejected": "(c.status = 'rejected')::int",
    "registered": "(c.registered_at IS NOT NULL)::int",
    "registered_on_time": "(c.registered_at IS NOT NULL AND c.registered_on_time IS TRUE)::int",
    "registered_cancelled": f"(c.registered_at IS NOT NULL AND c.status = {_CANCELLED})::int",
    "refused": "(c.status = 'refused')::int",
    "to_dispatch": f"(c.registered_at IS NOT NULL AND (c.dispatched_at IS NOT NULL OR c.status <> {_CANCELLED}))::int",
    "dispatched": "(c.dispatched_at IS NOT NULL)::int",
    "dispatched_on_time": "(c.dispatched_at IS NOT NULL AND c.dispatched_on_time IS TRUE)::int",
    "dispatched_accurate": "(c.dispatched_at IS NOT NULL AND c.return_count = 0)::int",
    "to_dispose": f"(c.dispatched_at IS NOT NULL AND c.status <> {_CANCELLED})::int",
    "disposed": f"(c.dispatched_at IS NOT NULL AND c.status <> {_CANCELLED} AND c.disposed_at IS NOT NULL)::int",
    "disposed_on_time": (
        f"(c.dispatched_at IS NOT NULL AND c.status <> {_CANCELLED} AND c.disposed_at IS NOT NULL"
        " AND c.disposed_on_time IS TRUE)::int"
    ),
    "overdue_open": f"(c.is_overdue AND c.status IN {_DISPOSAL_STATUSES})::int",
    "to_check": "(c.checked_on_time IS NOT NULL OR c.status = 'checking')::int",
    "checked_on_time": "COALESCE(c.checked_on_time, false)::int",
    "to_close": (
        f"((c.registered_at IS NOT NULL OR c.source = 'self_disposal') AND c.status NOT IN ({_CANCELLED}, 'merged'))"
        "::int"
    ),
    "closed": "(c.status = 'closed')::int",
    "closed_on_time": "(c.status = 'closed' AND c.closed_on_time IS TRUE)::int",
    "suspended_open": "(c.status = 'suspended')::int",
    "cancelled": f"(c.status = {_CANCELLED})::int",
    "cancelled_before_register": f"(c.status = {_CANCELLED} AND c.registered_at IS NULL)::int",
    "merged": "(c.status = 'merged')::int",
    "reworked": "(c.rework_count > 0)::int",
    "rework_count": "c.rework_count",
    "returned": "(c.return_count > 0)::int",
    "return_count": "c.return_count",
    "extended": "(c.extension_count > 0)::int",
    "suspended": "(c.suspension_count > 0)::int",
    "urged": "c.is_urged::int",
    "urge_count": "c.urge_count",
    "self_disposed": "(c.source = 'self_disposal')::int",
}

GRID_MEASURES = ["reported", "registered", "public_verified"]

# Who handled each stage: the case's own columns (``cases.choices.STAGE_ACTORS``), copied into its fact row.
ACTOR_COLUMNS = [f"{field}_id" for field in STAGE_ACTORS]

# Person measure → (the fact's actor column, SQL over the fact row ``f``).
PERSON_MEASURES: dict[str, tuple[str, str]] = {
    "reports": ("reporter_id", "f.reported"),
    "valid_reports": ("reporter_id", "(f.accepted + f.self_disposed)"),  # self-disposed reports are valid too
    "verifications": ("verifier_id", "f.to_verify"),
    "verifications_on_time": ("verifier_id", "f.verified_on_time"),
    "checks": ("checker_id", "f.to_check"),
    "checks_on_time": ("checker_id", "f.checked_on_time"),
    "acceptances": ("acceptor_id", "f.to_accept"),
    "acceptances_on_time": ("acceptor_id", "f.accepted_on_time"),
    "registrations": ("registrar_id", "(f.registered + f.refused)"),
    "registrations_on_time": ("registrar_id", "f.registered_on_time"),
    "registered": ("registrar_id", "f.registered"),
    "registered_cancelled": ("registrar_id", "f.registered_cancelled"),
    "closures": ("closer_id", "f.closed"),
    "closures_on_time": ("closer_id", "f.closed_on_time"),
    "dispatches": ("dispatcher_id", "f.dispatched"),
    "dispatches_on_time": ("dispatcher_id", "f.dispatched_on_time"),
    "dispatches_accurate": ("dispatcher_id", "f.dispatched_accurate"),
}


def _measure_fields(names, field_class) -> dict[str, models.Field]:
    return {name: field_class(default=0) for name in names}


class _MeasureBase(models.base.ModelBase):
    """Adds one integer column per measure to the model (names from the dictionaries above)."""

    def __new__(mcs, name, bases, attrs, **kwargs):
        measures = attrs.pop("_measures", None)
        field_class = attrs.pop("_measure_field", models.IntegerField)
        if measures:
            for measure, field in _measure_fields(measures, field_class).items():
                attrs.setdefault(measure, field)
        return super().__new__(mcs, name, bases, attrs, **kwargs)


# One partition per year of ``day`` (migration 0010; core/partitions.py). The database's primary key is
# (case_id, day): a case's day received never changes, so upkeep's upsert names both.
FACT_PARTITIONS = yearly("evaluation_casefact", "day", is_date=True)


class CaseFact(models.Model, metaclass=_MeasureBase):
    """One row per case: its dimensions and measures as of its current state (see the module docstring)."""

    _measures = list(CASE_MEASURES)
    _measure_field = models.SmallIntegerField

    case = models.OneToOneField(
        "cases.Case", primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField(_("day received"))
    department_id = models.IntegerField(_("department"), default=0)  # 0: not dispatched
    community_code = models.CharField(_("community code"), max_length=12)
    grid_code = models.CharField(_("grid code"), max_length=15)
    source = models.CharField(_("source"), max_length=20)
    kind = models.CharField(_("kind"), max_length=10)
    reporter_id = models.IntegerField(null=True)
    verifier_id = models.IntegerField(null=True)
    acceptor_id = models.IntegerField(null=True)
    registrar_id = models.IntegerField(null=True)
    dispatcher_id = models.IntegerField(null=True)
    checker_id = models.IntegerField(null=True)
    closer_id = models.IntegerField(null=True)

    class Meta:
        verbose_name = _("case fact")
        verbose_name_plural = _("case facts")
        indexes = [
            models.Index(fields=["day"], name="casefact_overdue", condition=Q(overdue_open__gt=0)),
            models.Index(fields=["day"], name="casefact_reworked", condition=Q(reworked__gt=0)),
        ]

    def __str__(self) -> str:
        return f"case {self.case_id} ({self.day})"


class DepartmentDay(models.Model, metaclass=_MeasureBase):
    """Measures summed per (day received, disposal department; 0 = not dispatched): departments and totals."""

    _measures = list(CASE_MEASURES)

    day = models.DateField()
    department_id = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("daily department rollup")
        verbose_name_plural = _("daily department rollups")
        constraints = [models.UniqueConstraint(fields=["day", "department_id"], name="departmentday_key")]

    def __str__(self) -> str:
        return f"{self.day} department {self.department_id}"


class CommunityDay(models.Model, metaclass=_MeasureBase):
    """Measures summed per (day, community): communities, and streets by their 9-digit prefix."""

    _measures = list(CASE_MEASURES)

    day = models.DateField()
    community_code = models.CharField(max_length=12)

    class Meta:
        verbose_name = _("daily community rollup")
        verbose_name_plural = _("daily community rollups")
        constraints = [models.UniqueConstraint(fields=["day", "community_code"], name="communityday_key")]

    def __str__(self) -> str:
        return f"{self.day} community {self.community_code}"


class SourceDay(models.Model, metaclass=_MeasureBase):
    """Measures summed per (day, intake channel, event or component): the channels of the bulletin."""

    _measures = list(CASE_MEASURES)

    day = models.DateField()
    source = models.CharField(max_length=20)
    kind = models.CharField(max_length=10)

    class Meta:
        verbose_name = _("daily source rollup")
        verbose_name_plural = _("daily source rollups")
        constraints = [models.UniqueConstraint(fields=["day", "source", "kind"], name="sourceday_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.source} {self.kind}"


class GridDay(models.Model, metaclass=_MeasureBase):
    """The few measures needed per (day, unit grid): collectors' missed reports in their duty grids."""

    _measures = list(GRID_MEASURES)

    day = models.DateField()
    grid_code = models.CharField(max_length=15)

    class Meta:
        verbose_name = _("daily grid rollup")
        verbose_name_plural = _("daily grid rollups")
        constraints = [models.UniqueConstraint(fields=["day", "grid_code"], name="gridday_key")]

    def __str__(self) -> str:
        return f"{self.day} grid {self.grid_code}"


class PersonDay(models.Model, metaclass=_MeasureBase):
    _measures = list(PERSON_MEASURES)

    day = models.DateField()
    user_id = models.IntegerField()

    class Meta:
        verbose_name = _("daily person rollup")
        verbose_name_plural = _("daily person rollups")
        constraints = [models.UniqueConstraint(fields=["day", "user_id"], name="personday_key")]

    def __str__(self) -> str:
        return f"{self.day} user {self.user_id}"


class ScoreWeight(models.Model):
    """A weight of one component of a composite score (综合评价). Schemes without rows use the defaults of
    ``evaluation.indicators.COMPOSITES``; the admin can load and edit them."""

    scheme = models.CharField(_("scheme"), max_length=20)
    indicator = models.CharField(_("indicator"), max_length=40)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    inverse = models.BooleanField(_("inverse (100 − rate)"), default=False)

    class Meta:
        verbose_name = _("score weight")
        verbose_name_plural = _("score weights")
        ordering = ["scheme", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "indicator"], name="scoreweight_unique")]

    def __str__(self) -> str:
        return f"{self.scheme}: {self.indicator} × {self.weight}"
