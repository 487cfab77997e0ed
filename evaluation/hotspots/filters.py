"""The query of every hotspot view (tiles, rankings, recurring problems, the page, the export): a period, and
optionally one class and one intake channel. Bad values are a ValidationError naming the field (a 400)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class HotspotQuery:
    start: date
    end: date
    class_id: int = 0  # 0: every class
    source: str = ""  # '': every channel

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> HotspotQuery:
        """The period of the same length just before this one (for the change column)."""
        end = self.start - timedelta(days=1)
        return HotspotQuery(end - timedelta(days=self.days - 1), end, self.class_id, self.source)

    def as_params(self) -> dict[str, str]:
        params = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.class_id:
            params["class"] = str(self.class_id)
        if self.source:
            params["source"] = self.source
        return params


def parse_date(raw: str, field: str) -> date:
    """ISO 2026-12-02 or the 2026/12/02 people type."""
    text = raw.strip().replace("/", "-")
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise ValidationError({field: _("Enter a date such as 2026-12-02.")}) from None


def parse_query(params) -> HotspotQuery:
    """``from``, ``to`` (default: the last 30 days to today), ``class`` (a minor class id), ``source``."""
    from cases.choices import CaseSource
    from grids.models import MinorClass

    errors: dict[str, str] = {}
    today = timezone.localdate()
    end = start = None
    try:
        end = parse_date(params["to"], "to") if params.get("to") else today
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        start = parse_date(params["from"], "from") if params.get("from") else None
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if end is not None and start is None and "from" not in errors:
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    if start and end:
        if start > end:
            errors["from"] = _("The start must not be after the end.")
        elif (end - start).days + 1 > MAX_DAYS:
            errors["from"] = _("A period may not be longer than %(days)s days.") % {"days": MAX_DAYS}
        elif start.year < 2000 or end.year > 2100:
            errors["from"] = _("Enter a date between 2000 and 2100.")
    class_id = 0
    raw_class = (params.get("class") or "").strip()
    if raw_class:
        if not raw_class.isdigit() or not MinorClass.objects.filter(pk=int(raw_class)).exists():
            errors["class"] = _("Unknown class.")
        else:
            class_id = int(raw_class)
    source = (params.get("source") or "").strip()
    if source and source not in CaseSource.values:
        errors["source"] = _("Unknown source.")
    if errors:
        raise ValidationError(errors)
    return HotspotQuery(start, end, class_id, source)
