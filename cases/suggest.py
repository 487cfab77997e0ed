"""Which department a registered case should go to (派遣建议), from the ordered, editable ``DispatchRule`` rows.

The default rules (created after migrate when the table is empty; the admin reorders, disables or adds to them):

| priority | rule | department suggested |
|---|---|---|
| 10 | condition default | the filing condition's default department (taxonomy admin: 立案条件 → 默认处置部门) |
| 20 | component maintainer | a component case's maintainer (养护单位; component admin or inventory import) |
| 30 | street office | the ``StreetOffice`` of the case's street (属地街道办) |

A city adds *fixed* rules in front, e.g. "class 06010 in street 500120002 → 璧泉街道环卫站", priority 5. Each rule may
be limited to one class and to a district/street/community/grid code prefix. A rule that yields no department, or an
inactive one, passes to the next; when none answers there is no suggestion and the dispatcher chooses.
"""

from __future__ import annotations

from cases.models import Case, DispatchRule, DispatchRuleKind, StreetOffice
from core.models import Department

DEFAULT_RULES: list[tuple[int, str]] = [
    (10, DispatchRuleKind.CONDITION_DEFAULT),
    (20, DispatchRuleKind.COMPONENT_MAINTAINER),
    (30, DispatchRuleKind.STREET_OFFICE),
]


def ensure_dispatch_rules() -> None:
    """Create the default rules on a fresh installation only, so rules an administrator removed stay removed."""
    if not DispatchRule.objects.exists():
        DispatchRule.objects.bulk_create(DispatchRule(priority=p, kind=k) for p, k in DEFAULT_RULES)


def _department_of(rule: DispatchRule, case: Case) -> Department | None:
    if rule.kind == DispatchRuleKind.FIXED:
        return rule.department
    if rule.kind == DispatchRuleKind.CONDITION_DEFAULT:
        return case.condition.default_department if case.condition_id else None
    if rule.kind == DispatchRuleKind.COMPONENT_MAINTAINER:
        return case.component.maintainer if case.component_id else None
    if rule.kind == DispatchRuleKind.STREET_OFFICE:
        office = StreetOffice.objects.select_related("department").filter(street_code=case.street_code).first()
        return office.department if office else None
    return None


def suggest(case: Case) -> tuple[Department | None, DispatchRule | None]:
    """The suggested department and the rule that gave it (both None when no rule answers)."""
    rules = DispatchRule.objects.filter(is_active=True).select_related("department").order_by("priority", "id")
    for rule in rules:
        if rule.minor_class_id and rule.minor_class_id != case.minor_class_id:
            continue
        if rule.region_code and not case.grid_code.startswith(rule.region_code):
            continue
        department = _department_of(rule, case)
        if department is not None and department.is_active:
            return department, rule
    return None, None


def suggest_department(case: Case) -> Department | None:
    """The suggested department alone (what registration stores as ``Case.suggested_department``)."""
    return suggest(case)[0]
