"""Departments as a tree: a department and its sub-units (二级派遣 hands a case or an order down to one of them).

Cases and hotline orders scope by it (a department sees what is with it or its sub-units) and their services check
a forward against it, so it lives here, below both.
"""

from __future__ import annotations

from core.models import Department


def department_subtree(department) -> list[int]:
    """A department and all its sub-units, as ids: one query per level (trees are two or three levels deep)."""
    ids, frontier = [department.pk], [department.pk]
    while frontier:
        frontier = list(
            Department.objects.filter(parent_id__in=frontier).exclude(pk__in=ids).values_list("pk", flat=True)
        )
        ids += frontier
    return ids
