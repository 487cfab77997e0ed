"""What every channel service checks: the actor's permission and the fields (``ValidationError`` naming each bad
field), photos through the platform's upload checks."""

from __future__ import annotations

from datetime import date as date_type
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from cases.exceptions import ActionForbidden
from core.sanitize import date_out_of_window, parse_client_time
from core.uploads import check_photos
from hotlines.channels.workflow import (
    ChannelForbidden,
)


def require(actor, *permissions: str) -> None:
    if not actor.has_perms(permissions):
        raise ChannelForbidden(_("Your role does not have permission to do this."))


# ---- field checks --------------------------------------------------------------------------------------------------


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text_field(value, name: str, errors: dict, *, limit: int, required: bool = True) -> str:
    if blank(value):
        if required:
            errors[name] = _("This field is required.")
        return ""
    text = str(value).strip()
    if len(text) > limit:
        errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    return text


def choice_field(value, name: str, choices, errors: dict, *, default=None) -> str:
    if blank(value):
        if default is None:
            errors[name] = _("This field is required.")
            return ""
        return default
    if str(value) not in choices.values:
        errors[name] = _("Not a valid choice.")
        return ""
    return str(value)


def moment_field(value, name: str, errors: dict, *, default_now: bool = False) -> datetime | None:
    if blank(value):
        if default_now:
            return timezone.now()
        errors[name] = _("This field is required.")
        return None
    try:  # the platform-wide window for a client's time (core/sanitize.py)
        return parse_client_time(value)
    except ValueError as exc:
        errors[name] = str(exc)
        return None


def day_field(value, name: str, errors: dict) -> date_type | None:
    if blank(value):
        errors[name] = _("This field is required.")
        return None
    if isinstance(value, date_type):
        return value
    try:
        day = parse_date(str(value).strip())
    except ValueError:
        day = None
    if day is None:
        errors[name] = _("Must be a date (YYYY-MM-DD).")
    elif problem := date_out_of_window(day):
        errors[name] = problem
        return None
    return day


def coordinates_field(lng, lat, errors: dict, *, required: bool) -> tuple[float, float] | None:
    if blank(lng) and blank(lat):
        if required:
            errors["lng"] = errors["lat"] = _("This field is required.")
        return None
    values = {}
    for name, value, bound in (("lng", lng, 180), ("lat", lat, 90)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            errors[name] = _("Must be a number.") if not blank(value) else _("This field is required.")
            continue
        if not -bound <= number <= bound:
            errors[name] = _("Out of range.")
            continue
        values[name] = number
    if len(values) != 2:
        return None
    return values["lng"], values["lat"]


def raise_errors(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def as_forbidden(func, *args, **kwargs):
    """Call a case-raising function; the cases layer's "may not report" becomes ChannelForbidden."""
    try:
        return func(*args, **kwargs)
    except ActionForbidden as exc:
        raise ChannelForbidden(str(exc)) from exc


def check_image(upload, field: str):
    if upload is None:
        return None
    [checked] = check_photos([upload], field=field)
    return checked


def remove_stored(model, field: str, name: str | None) -> None:
    """Delete a stored file of *model*'s *field* (a write that failed, or a file replaced after commit)."""
    if not name:
        return
    storage = model._meta.get_field(field).storage
    if storage.exists(name):
        storage.delete(name)
