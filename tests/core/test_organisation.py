import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command

from core.choices import Role
from core.models import Department, User
from core.validators import uscc_check_char, validate_uscc

pytestmark = pytest.mark.django_db


class TestCreditCode:
    def test_a_real_code_passes(self):
        validate_uscc("91350100M000100Y43")

    @pytest.mark.parametrize(
        "bad, reason",
        [
            ("91350100M000100Y4", "uscc_length"),
            ("91350100M000100Y4I", "uscc_char"),
            ("91350100M000100Y44", "uscc_check"),
        ],
    )
    def test_bad_codes_say_why(self, bad, reason):
        with pytest.raises(ValidationError) as err:
            validate_uscc(bad)
        assert err.value.code == reason

    def test_check_character(self):
        assert uscc_check_char("91350100M000100Y4") == "3"

    def test_department_validates_its_code(self):
        dept = Department(name="环卫所", code="sanitation", credit_code="123")
        with pytest.raises(ValidationError) as err:
            dept.full_clean()
        assert "credit_code" in err.value.message_dict


class TestRoles:
    def test_each_role_is_a_group_with_permissions(self):
        for role in Role.values:
            assert Group.objects.filter(name=role).exists()
        assert Group.objects.get(name=Role.ADMIN).permissions.count() > 10

    def test_a_user_is_in_exactly_their_roles_group(self, make_user):
        user = make_user("u1", Role.OPERATOR)
        assert list(user.groups.values_list("name", flat=True)) == [Role.OPERATOR]
        user.role = Role.DISPATCHER
        user.save()
        assert list(user.groups.values_list("name", flat=True)) == [Role.DISPATCHER]

    def test_permissions_follow_the_role(self, make_user):
        supervisor = make_user("s1", Role.SUPERVISOR)
        collector = make_user("c1", Role.COLLECTOR)
        assert User.objects.get(pk=supervisor.pk).has_perm("core.view_healthcheck")
        assert not User.objects.get(pk=collector.pk).has_perm("core.view_healthcheck")

    def test_a_handler_needs_a_department(self):
        with pytest.raises(ValidationError) as err:
            User(username="h", role=Role.HANDLER).full_clean()
        assert "department" in err.value.message_dict

    def test_a_department_cannot_be_its_own_ancestor(self, department):
        child = Department.objects.create(code="child", name="子单位", parent=department)
        department.parent = child
        with pytest.raises(ValidationError):
            department.full_clean()


class TestSeedCity:
    def test_seed_is_idempotent(self, capsys):
        call_command("seed_city", "--scale", "0.01")
        departments, users = Department.objects.count(), User.objects.count()
        assert departments == 29
        # 7 role accounts, a handler per department, and the extra collectors of the demo city's duty grids
        assert users >= 7 + 29
        assert User.objects.filter(role=Role.HANDLER).count() == 29
        call_command("seed_city", "--scale", "0.01")
        assert (Department.objects.count(), User.objects.count()) == (departments, users)

    def test_demo_accounts(self):
        call_command("seed_city", "--scale", "0.01")
        dispatcher = User.objects.get(username="dispatcher")
        assert dispatcher.role == Role.DISPATCHER and dispatcher.check_password("citymgmt-demo")
        handler = User.objects.get(username="dept01")
        assert handler.role == Role.HANDLER and handler.department.code == "sanitation"
        for dept in Department.objects.all():
            if dept.credit_code:
                validate_uscc(dept.credit_code)
        assert Department.objects.get(code="enforcement-1").parent.code == "enforcement"

    def test_every_demo_street_has_its_street_office(self):
        from cases.models import StreetOffice

        call_command("seed_city", "--scale", "0.01")
        links = dict(StreetOffice.objects.values_list("street_code", "department__name"))
        assert len(links) == 7 and links["500120001"] == "璧城街道办事处"
        call_command("seed_city", "--scale", "0.01")
        assert StreetOffice.objects.count() == 7

    def test_bad_scale_is_refused(self):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="--scale"):
            call_command("seed_city", "--scale", "2")
