"""Which department a registered case should go to (派遣建议). The rules, in order, each editable as data:

1. the filing condition's default department (taxonomy admin: 立案条件 → 默认处置部门);
2. for a component case, the component's maintainer (养护单位; component admin or inventory import);
3. the street office of the street the case is in (``StreetOffice``, cases admin).
"""

from __future__ import annotations

from cases.models import Case, StreetOffice
from core.models import Department


def suggest_department(case: Case) -> Department | None:
    candidates = []
    if case.condition_id and case.condition.default_department_id:
        candidates.append(case.condition.default_department)
    if case.component_id and case.component.maintainer_id:
        candidates.append(case.component.maintainer)
    office = StreetOffice.objects.select_related("department").filter(street_code=case.street_code).first()
    if office:
        candidates.append(office.department)
    return next((d for d in candidates if d.is_active), None)
