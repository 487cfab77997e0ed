"""Which cases a user may see: the one place that scopes cases by role (lists, details, exports, maps all use it)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from cases.choices import TERMINAL_STATUSES
from core.choices import Role


def department_subtree(department) -> list[int]:
    """A department and all its sub-units (second-level dispatch), as ids."""
    from core.models import Department

    ids, frontier = [department.pk], [department.pk]
    while frontier:
        frontier = list(Department.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> CaseQuerySet:
        """Centre staff with ``cases.view_all_cases`` see every case; a department handler the cases currently with
        their department or its sub-units; a collector the cases they reported, the tasks assigned to them and the
        cases in the unit grids of their duty grids; anyone else nothing."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser or user.has_perm("cases.view_all_cases"):
            return self
        if not user.has_perm("cases.view_case"):
            return self.none()
        if user.role == Role.HANDLER and user.department_id:
            return self.filter(department_id__in=department_subtree(user.department))
        if user.role == Role.COLLECTOR:
            from grids.models import UnitGrid

            duty_codes = UnitGrid.objects.filter(duty_grids__collectors=user).values("code")
            return self.filter(Q(reporter=user) | Q(assigned_collector=user) | Q(grid_code__in=duty_codes))
        return self.none()

    def open(self) -> CaseQuerySet:
        return self.exclude(status__in=[s.value for s in TERMINAL_STATUSES])

    def overdue(self) -> CaseQuerySet:
        return self.open().filter(is_overdue=True)
