"""The parameters of case actions: text, a user of a role, yes/no, the photos attached to the action."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CasePhoto
from core.choices import Role
from core.models import User


def text_param(params: dict, name: str, *, required: bool = False) -> str:
    value = str(params.get(name) or "").strip()
    if required and not value:
        raise ValidationError({name: _("This field is required.")})
    return value


def user_with_role(params: dict, name: str, role: str) -> User:
    value = params.get(name)
    try:
        user = User.objects.get(pk=int(getattr(value, "pk", value)), is_active=True)
    except (TypeError, ValueError, User.DoesNotExist):
        raise ValidationError({name: _("No such active user.")}) from None
    if user.role != role:
        raise ValidationError({name: _("The user must have the role %(role)s.") % {"role": Role(role).label}})
    return user


def bool_param(params: dict, name: str) -> bool:
    value = params.get(name)
    if isinstance(value, bool):
        return value
    if str(value).lower() in {"true", "1", "yes", "on"}:
        return True
    if str(value).lower() in {"false", "0", "no", "off"}:
        return False
    raise ValidationError({name: _("Must be true or false.")})


def attached_photos(case: Case, photo_ids) -> list[int]:
    """The attachments of this action: photos of this case, uploaded beforehand, not yet attached to an event."""
    if not photo_ids:
        return []
    try:
        wanted = sorted({int(pk) for pk in photo_ids})
    except (TypeError, ValueError):
        raise ValidationError({"photo_ids": _("A list of photo ids is required.")}) from None
    found = set(CasePhoto.objects.filter(case=case, pk__in=wanted, event__isnull=True).values_list("pk", flat=True))
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise ValidationError(
            {"photo_ids": _("Not photos of this case awaiting an action: %(ids)s.") % {"ids": missing}}
        )
    return wanted
