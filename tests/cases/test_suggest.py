"""The dispatch suggestion (派遣建议): ordered, editable rules evaluated at registration."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cases.models import DispatchRule, DispatchRuleKind
from cases.services import perform
from cases.suggest import suggest

pytestmark = pytest.mark.django_db


def register(case, cast, condition):
    perform(case.pk, "accept", cast["operator"])
    return perform(case.pk, "register", cast["leader"], condition=condition.pk)


def test_default_rules_exist_after_migrate():
    kinds = list(DispatchRule.objects.filter(is_active=True).values_list("kind", flat=True))
    assert kinds == ["condition_default", "component_maintainer", "street_office"]


def test_the_conditions_default_department_comes_first(new_case, cast, wf_class, department):
    case = register(new_case(), cast, wf_class["condition"])
    assert case.suggested_department == department
    assert case.events.get(action="register").data["suggested_by"] == "condition_default"


def test_the_street_office_answers_when_the_condition_names_nobody(new_case, cast, wf_class, base_map):
    condition = wf_class["condition"]
    condition.default_department = None
    condition.save()
    case = register(new_case(), cast, condition)
    assert case.suggested_department == base_map["street_office"]


def test_the_components_maintainer_comes_before_the_street_office(new_case, cast, wf_class, other_department):
    from django.contrib.gis.geos import Point

    from grids.choices import ClassKind
    from grids.models import Component, MajorClass, MinorClass

    condition = wf_class["condition"]
    condition.default_department = None
    condition.save()
    standard = wf_class["class"].standard
    major = MajorClass.objects.create(standard=standard, kind=ClassKind.COMPONENT, code="91", name="测试部件")
    klass = MinorClass.objects.create(
        standard=standard, major=major, kind=ClassKind.COMPONENT, code="91001", name="井盖"
    )
    component = Component(
        identifier="50012091001000001",
        minor_class=klass,
        name="井盖",
        maintainer=other_department,
        location=Point(106.2005, 29.6005, srid=4326),
        geometry=Point(106.2005, 29.6005, srid=4326),
    )
    Component.objects.bulk_create([component])  # no identifier validation: a test standard has no national code
    case = register(new_case(component=Component.objects.get()), cast, condition)
    assert case.suggested_department == other_department


def test_a_fixed_rule_for_a_class_in_a_street_wins_when_put_first(new_case, cast, wf_class, other_department):
    DispatchRule.objects.create(
        priority=5,
        kind=DispatchRuleKind.FIXED,
        minor_class=wf_class["class"],
        region_code="500120001",
        department=other_department,
    )
    assert register(new_case(), cast, wf_class["condition"]).suggested_department == other_department


def test_a_fixed_rule_for_another_street_does_not_apply(new_case, cast, wf_class, department, other_department):
    DispatchRule.objects.create(
        priority=5, kind=DispatchRuleKind.FIXED, region_code="500120002", department=other_department
    )
    assert register(new_case(), cast, wf_class["condition"]).suggested_department == department


def test_inactive_departments_and_rules_are_skipped(new_case, cast, wf_class, department, base_map):
    department.is_active = False
    department.save()
    case = new_case()
    assert suggest(case)[0] == base_map["street_office"]
    DispatchRule.objects.filter(kind="street_office").update(is_active=False)
    assert suggest(case) == (None, None)


def test_rule_validation_names_the_field(other_department):
    with pytest.raises(ValidationError) as err:
        DispatchRule(priority=1, kind=DispatchRuleKind.FIXED).full_clean()
    assert "department" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        DispatchRule(priority=1, kind=DispatchRuleKind.STREET_OFFICE, region_code="5001").full_clean()
    assert "region_code" in err.value.message_dict
