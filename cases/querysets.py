"""Which cases a user may see: the one place that scopes cases by role. Lists, details, exports, maps and the
transition service all start from ``Case.objects.visible_to(user)``, so they cannot disagree.

Scoping rules (roles decide rows; permissions decide actions):

* ``cases.view_all_cases`` (operators, shift leaders, dispatchers, supervisors, administrators): every case.
* Department handlers: the cases *currently* with their department or one of its sub-units (second-level
  dispatch). A case returned (回退) and re-dispatched leaves the first department's view: a department's lists
  show exactly what it answers for; what it once held stays in the case timeline and the evaluation figures.
* Field collectors: the cases they reported, the verify/check tasks assigned to them, and every case in the unit
  grids of their active duty grids (责任网格) — what they patrol.
* Anyone else (finance, a handler without a department): none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from cases.choices import TERMINAL_STATUSES, RequestStatus
from core.choices import Role
from core.departments import department_subtree

TERMINAL = sorted(str(status) for status in TERMINAL_STATUSES)


@dataclass(frozen=True)
class CaseScope:
    """Whose cases a user sees (the rules above): every case, the cases with some departments (a handler's
    department and its sub-units), a collector's own and patrolled cases, or — none of these set — none."""

    everything: bool = False
    departments: tuple[int, ...] = ()
    collector: object | None = None


def case_scope(user) -> CaseScope:
    """The scope of *user*'s cases (see the module docstring)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return CaseScope()
    if user.is_superuser or user.has_perm("cases.view_all_cases"):
        return CaseScope(everything=True)
    if not user.has_perm("cases.view_case"):
        return CaseScope()
    if user.role == Role.HANDLER and user.department_id:
        return CaseScope(departments=tuple(department_subtree(user.department)))
    if user.role == Role.COLLECTOR:
        return CaseScope(collector=user)
    return CaseScope()


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> CaseQuerySet:
        """The cases *user* may see (see the module docstring)."""
        return self.within(case_scope(user))

    def within(self, scope: CaseScope) -> CaseQuerySet:
        """The cases of *scope*."""
        if scope.everything:
            return self
        if scope.departments:
            return self.filter(department_id__in=scope.departments)
        if scope.collector is not None:
            from grids.models import UnitGrid

            # The patrolled grid codes as a list (one small query), not a subquery: PostgreSQL then combines the
            # three conditions from their indexes (and with a list filter's, e.g. the trigram index of ``q``)
            # instead of checking every row of a long list against a hashed subquery, and estimates the
            # collector's share of the cases far better.
            collector = scope.collector
            patrolled = list(
                UnitGrid.objects.filter(duty_grids__collectors=collector, duty_grids__is_active=True)
                .values_list("code", flat=True)
                .distinct()
            )
            return self.filter(Q(reporter=collector) | Q(assigned_collector=collector) | Q(grid_code__in=patrolled))
        return self.none()

    def open(self) -> CaseQuerySet:
        """Not closed, rejected, refused, cancelled or merged."""
        return self.exclude(status__in=TERMINAL)

    def overdue(self) -> CaseQuerySet:
        """Open cases flagged overdue (by the transition that found them late, or the every-minute scan)."""
        return self.open().filter(is_overdue=True)

    def due_before(self, moment: datetime | None = None) -> CaseQuerySet:
        """Open cases whose current stage deadline has passed at *moment*, flagged yet or not (uses the partial
        index on open deadlines)."""
        return self.open().filter(stage_deadline__lt=moment or timezone.now())

    def with_pending_requests(self) -> CaseQuerySet:
        """Annotate ``pending_requests``: return/extension/suspension/cancel applications awaiting a decision."""
        return self.annotate(
            pending_requests=Count("requests", filter=Q(requests__status=RequestStatus.PENDING), distinct=True)
        )

    def for_list(self) -> CaseQuerySet:
        """What a case list row shows, without one query per row."""
        return self.select_related("minor_class", "condition", "department", "reporter", "assigned_collector")
