"""The case layer's part of the demo city: which department answers for each street (the last dispatch rule)."""

from __future__ import annotations

from cases.demo_history import demo_after_photo, seed_case_history  # noqa: F401  (seed_city and hotlines call them)
from cases.models import StreetOffice
from core.choices import DepartmentKind
from core.models import Department
from grids.choices import RegionLevel
from grids.models import Region


def seed_street_offices() -> int:
    """Link every street/town region to the street-office department whose name starts with the region's name
    (璧城街道 → 璧城街道办事处, 河边镇 → 河边镇人民政府); returns how many links were added."""
    offices = list(Department.objects.filter(kind=DepartmentKind.STREET_OFFICE, is_active=True))
    known = set(StreetOffice.objects.values_list("street_code", flat=True))
    added = 0
    for street in Region.objects.filter(level=RegionLevel.STREET).exclude(code__in=known):
        office = next((d for d in offices if d.name.startswith(street.name)), None)
        if office is not None:
            StreetOffice.objects.create(street_code=street.code, department=office)
            added += 1
    return added
