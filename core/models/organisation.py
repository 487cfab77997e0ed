"""Departments and users: who works in and for the command centre."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import DepartmentKind, Role
from core.validators import validate_uscc


class Department(models.Model):
    """A department or disposal unit (专业部门/处置单位); sub-units allow second-level dispatch."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("short code"), max_length=32, unique=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_uscc]
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=DepartmentKind.choices, default=DepartmentKind.PROFESSIONAL
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A department cannot be its own ancestor.")})
            ancestor = ancestor.parent


class User(AbstractUser):
    """A person using the platform. Each has exactly one role, mirrored as membership of that role's group,
    so permission checks use Django permissions rather than role names."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.COLLECTOR)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        help_text=_("The console's language this user picked; empty: the platform's default (Chinese)."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        if self.role == Role.HANDLER and self.department_id is None:
            raise ValidationError({"department": _("A department handler must belong to a department.")})

    def save(self, *args, **kwargs) -> None:
        if self.role == Role.ADMIN:
            self.is_staff = True
        # set_password() leaves the new raw password in _password until the save: whichever path changed it
        # (the console's page, the admin, a shell), the user's API tokens stop working.
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        self.sync_role_group()
        if password_changed:
            from core.tokens import RevokeReason, revoke_all

            revoke_all(self, RevokeReason.PASSWORD_CHANGED)

    def sync_role_group(self) -> None:
        """Make the user a member of exactly one role group: the one named by ``role``."""
        role_groups = Group.objects.filter(name__in=Role.values)
        current = set(self.groups.filter(pk__in=role_groups).values_list("name", flat=True))
        if current == {self.role}:
            return
        self.groups.remove(*role_groups.exclude(name=self.role))
        group, _created = Group.objects.get_or_create(name=self.role)
        self.groups.add(group)
