"""Which work orders a user may see: the one place that scopes orders by role (lists, details, exports, actions).

* ``hotlines.view_all_workorders`` (operators, shift leaders, dispatchers, supervisors, the 12345 platform account,
  administrators): every order.
* Department handlers: the orders currently with their department or one of its sub-units.
* Anyone else: none.
"""

from __future__ import annotations

from django.db import models

from core.choices import Role


class WorkOrderQuerySet(models.QuerySet):
    def visible_to(self, user) -> WorkOrderQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.has_perm("hotlines.view_all_workorders"):
            return self
        if not user.has_perm("hotlines.view_workorder"):
            return self.none()
        if user.role == Role.HANDLER and user.department_id:
            from core.departments import department_subtree

            return self.filter(department_id__in=department_subtree(user.department))
        return self.none()

    def open(self) -> WorkOrderQuerySet:
        return self.exclude(status="completed")

    def for_list(self) -> WorkOrderQuerySet:
        return self.select_related("hotline", "department")
