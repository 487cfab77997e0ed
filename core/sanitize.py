"""Input hygiene shared by every endpoint: text PostgreSQL cannot store, and dates no command centre can mean.

One place decides what is refused, so the JSON and form parsers (`core/api/parsers.py`), the query-string check
(`core/middleware.py`), the serializer fields (`core/api/fields.py`) and the services that read raw dicts (case
intake, its offline batch, the hotline push) all answer alike: a 400 naming the field.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

# PostgreSQL text cannot hold NUL, and UTF-8 cannot encode an unpaired surrogate: both would fail at the database
# or on output, long after the request was accepted.
_BAD_CHARACTERS = re.compile("[\x00\ud800-\udfff]")

# Paths whose clients read JSON (the REST API and the documented vector tiles): their errors answer JSON.
JSON_PATHS = ("/api/", "/tiles/")

# Nothing a city-management platform records happened before the digital city-management standards existed.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
EARLIEST_DATE = date(2000, 1, 1)
# Stored times a person can mean; beyond this a date is a typo or an attack, not a deadline.
LATEST_DATE = date(2100, 12, 31)


def client_time_tolerance() -> timedelta:
    """How far ahead of the server a client's clock may be (handheld clocks drift); CLIENT_TIME_FUTURE_MINUTES."""
    return timedelta(minutes=getattr(settings, "CLIENT_TIME_FUTURE_MINUTES", 10))


def bad_text_message(value: str) -> str | None:
    """Why this text cannot be stored, or None when it can."""
    match = _BAD_CHARACTERS.search(value)
    if match is None:
        return None
    if match.group() == "\x00":
        return _("Contains a NUL character.")
    return _("Contains an unpaired surrogate (not valid Unicode).")


def find_bad_text(data, path: str = "") -> tuple[str, str] | None:
    """The first (field path, message) of a string, key or nested value that cannot be stored, or None."""
    if isinstance(data, str):
        message = bad_text_message(data)
        return (path or "non_field_errors", message) if message else None
    if isinstance(data, dict):
        for key, value in data.items():
            name = str(key)
            if isinstance(key, str) and bad_text_message(key):
                return (name.encode("unicode_escape").decode("ascii"), _("Field name is not valid text."))
            found = find_bad_text(value, f"{path}.{name}" if path else name)
            if found:
                return found
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            found = find_bad_text(value, f"{path}[{index}]" if path else f"[{index}]")
            if found:
                return found
    return None


def flat_query(query) -> dict:
    """A QueryDict as {name: value} ({name: [values]} when repeated), so a bad field is named as the client sent it."""
    return {name: values[0] if len(values) == 1 else values for name, values in query.lists()}


def out_of_window(moment: datetime, *, client: bool, now: datetime | None = None) -> str | None:
    """Why this moment is refused, or None. Every time must lie after 2000-01-01; a client's time (when a report
    was made, a call received) must also not lie ahead of the server by more than the tolerance."""
    if timezone.is_naive(moment):
        return None if moment >= EARLIEST.replace(tzinfo=None) else _too_early()
    if moment < EARLIEST:
        return _too_early()
    if client:
        if moment > (now or timezone.now()) + client_time_tolerance():
            return _("Lies in the future.")
    elif moment.date() > LATEST_DATE:
        return _("Lies too far in the future.")
    return None


def _too_early() -> str:
    return _("Must not be before 2000-01-01.")


def parse_client_time(value, *, now: datetime | None = None) -> datetime:
    """An ISO 8601 date-time sent by a client, aware and inside the window; ValueError with the reason otherwise."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = parse_datetime(str(value).strip())
        except ValueError:  # well-formed but impossible, such as 12:99 or February 30
            moment = None
        if moment is None:
            raise ValueError(_("Must be an ISO 8601 date-time."))
    if moment.tzinfo is None:
        if moment < EARLIEST.replace(tzinfo=None):  # make_aware of year 1 would overflow
            raise ValueError(_too_early())
        moment = timezone.make_aware(moment)
    problem = out_of_window(moment, client=True, now=now)
    if problem:
        raise ValueError(problem)
    return moment


def date_out_of_window(day: date) -> str | None:
    if day < EARLIEST_DATE:
        return _too_early()
    if day > LATEST_DATE:
        return _("Lies too far in the future.")
    return None
