"""The parameters of work-order actions: text, yes/no, a department."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _required() -> str:
    return _("This field is required.")


def text_param(raw, name: str, *, required: bool = False, limit: int = 2000) -> str:
    """A text parameter, stripped; ValidationError naming *name* when required and empty, or too long."""
    value = str(raw or "").strip()
    if required and not value:
        raise ValidationError({name: _required()})
    if len(value) > limit:
        raise ValidationError({name: _("At most %(limit)d characters.") % {"limit": limit}})
    return value


def flag_param(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "on"}:
        return True
    if text in {"false", "0", "no", "off", ""}:
        return False
    raise ValidationError({"redo": _("Must be true or false.")})


def department_param(value):
    from core.models import Department

    try:
        department = Department.objects.get(pk=int(getattr(value, "pk", value)))
    except (TypeError, ValueError, Department.DoesNotExist):
        raise ValidationError({"department": _("No such department.")}) from None
    if not department.is_active:
        raise ValidationError({"department": _("The department is not active.")})
    return department
