"""Citizens' reports (全民参与) in: one service for the public page and for Open311 alike.

A report becomes an ordinary case of source ``public`` through the cases layer's intake (numbered, located, timed;
it starts in 上报 and must be verified on site by a collector before the centre may accept it), and a
``PublicReport`` row with the reporter's side: the secret tracking token, the optional phone, Open311 contact fields.
Both are written in one transaction. The client's token (the page's hidden ``client_token``, an Open311 client's
``device_id``-free requests get a fresh one) is the case's ``client_uuid``: a double tap, a retried POST or two
racing submissions answer with the same report — the unique index decides, never a lookup.

Rate limits (``PUBLIC_REPORT_RATE_PER_ADDRESS`` / ``…_PER_PHONE``) count in Redis and let reports through when Redis
is down (``core.throttling.over_limit``).
"""

from __future__ import annotations

import hashlib
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases.choices import CaseSource
from cases.exceptions import ActionNotAllowed
from cases.services.intake import parse_client_uuid, report_case
from cases.services.visits import revisit_by_reporter
from core.throttling import over_limit
from exchange.public.models import PublicReport

PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,18}[0-9]$")


class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__("too many reports")
        self.retry_after = retry_after


def check_rate(address: str, phone: str = "") -> None:
    """Raise RateLimited when this address (or phone) has reported too often."""
    wait = over_limit("public-report-ip", address, getattr(settings, "PUBLIC_REPORT_RATE_PER_ADDRESS", "20/hour"))
    digits = re.sub(r"\D", "", phone or "")
    if wait is None and digits:  # counted by a digest: the cache never holds a phone number
        ident = hashlib.sha256(digits.encode()).hexdigest()[:20]
        wait = over_limit("public-report-phone", ident, getattr(settings, "PUBLIC_REPORT_RATE_PER_PHONE", "5/hour"))
    if wait is not None:
        raise RateLimited(wait)


def clean_phone(value) -> str:
    phone = "" if value is None else str(value).strip()
    if phone and not PHONE.match(phone):
        raise ValidationError({"phone": _("Enter a phone number of digits only, e.g. 13800001234.")})
    return re.sub(r"[ -]", "", phone)


def submit_report(
    *,
    channel: str,
    class_code: str,
    lat,
    lng,
    description: str = "",
    address: str = "",
    photos=(),
    phone: str = "",
    client_token=None,
    condition_id=None,
    api_client=None,
    choice: str = "",
    contact: dict | None = None,
    attributes: dict | None = None,
    media_url: str = "",
) -> tuple[PublicReport, bool]:
    """A new citizens' report, or the one this ``client_token`` already made (``created`` False). Raises
    ValidationError naming each bad field (as the case intake names them, plus ``phone`` and ``client_token``)."""
    errors: dict[str, str] = {}
    try:
        phone = clean_phone(phone)
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    key = parse_client_uuid(client_token, errors) or uuid.uuid4()
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case, created = report_case(
            reporter=None,
            source=CaseSource.PUBLIC,
            client_uuid=key,
            class_code=class_code,
            kind="event",
            condition_id=condition_id,
            lat=lat,
            lng=lng,
            description=description,
            address=address,
            photos=photos,
        )
        if not created:
            existing = PublicReport.objects.filter(case=case).first()
            if existing is None:  # a UUID some other channel's case already carries: never show that case
                raise ValidationError({"client_token": _("Already used; reload the page.")})
            return existing, False
        report = PublicReport.objects.create(
            case=case,
            channel=channel,
            api_client=api_client,
            choice=choice[:100],
            phone=phone,
            contact=contact or {},
            attributes=attributes or {},
            media_url=media_url[:500],
        )
    return report, True


def answer_satisfaction(report: PublicReport, satisfaction: str, opinion: str = ""):
    """The reporter's return visit through their link (the link is the authority): 不满意 reopens the case.
    Raises ActionNotAllowed unless the case is closed, ValidationError naming ``satisfaction``."""
    return revisit_by_reporter(report.case_id, satisfaction, opinion=opinion)


__all__ = ["ActionNotAllowed", "RateLimited", "answer_satisfaction", "check_rate", "submit_report"]
