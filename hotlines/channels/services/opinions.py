"""Online opinion (网络舆情): recording an item (and its case) and the reply published to it."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.workflow import Outcome
from hotlines.channels import cases as channel_cases
from hotlines.channels.models import (
    OnlineOpinion,
)
from hotlines.channels.services.checks import (
    as_forbidden,
    choice_field,
    coordinates_field,
    moment_field,
    raise_errors,
    require,
    text_field,
)
from hotlines.channels.services.history import record_history
from hotlines.channels.workflow import (
    OPINIONS,
)
from hotlines.choices import OpinionChannel


def record_opinion(
    actor,
    *,
    channel,
    external_no,
    title,
    content,
    class_code,
    lng,
    lat,
    author="",
    submitted_at=None,
    address="",
    at: datetime | None = None,
) -> tuple[OnlineOpinion, bool]:
    """Record a message of the government mailbox or the web board and raise its case (source ``online``). The item
    number is the natural key: a repeat returns the opinion (and its case) already recorded."""
    require(actor, "hotlines.add_onlineopinion")
    errors: dict = {}
    number = text_field(external_no, "external_no", errors, limit=50)
    existing = OnlineOpinion.objects.select_related("case").filter(external_no=number).first() if number else None
    if existing is not None and existing.case_id:
        return existing, False
    fields = {
        "channel": choice_field(channel, "channel", OpinionChannel, errors),
        "title": text_field(title, "title", errors, limit=200),
        "content": text_field(content, "content", errors, limit=4000),
        "author": text_field(author, "author", errors, limit=50, required=False),
        "submitted_at": moment_field(submitted_at, "submitted_at", errors, default_now=True),
    }
    text_field(class_code, "class_code", errors, limit=8)
    point = coordinates_field(lng, lat, errors, required=True)
    address = text_field(address, "address", errors, limit=200, required=False)
    raise_errors(errors)
    with transaction.atomic():
        opinion, created = OnlineOpinion.objects.get_or_create(external_no=number, defaults=fields)
        had_case = opinion.case_id is not None
        as_forbidden(
            channel_cases.opinion_to_case,
            opinion,
            actor,
            class_code=str(class_code).strip(),
            lng=point[0],
            lat=point[1],
            address=address,
            at=at,
        )
        if created:
            record_history(opinion, "recorded", actor, at)
        if not had_case and opinion.case_id:
            record_history(opinion, "case_raised", actor, at, case=opinion.case_id)
    return opinion, created


def reply_opinion(actor, pk: int, *, reply, replied_at=None) -> OnlineOpinion:
    """Record the reply to an opinion and when it was given (now unless told). Replying again replaces the reply;
    the same text again changes nothing."""

    def handle(opinion: OnlineOpinion, now) -> Outcome:
        errors: dict = {}
        text = text_field(reply, "reply", errors, limit=4000)
        moment = moment_field(replied_at, "replied_at", errors, default_now=True)
        raise_errors(errors)
        if opinion.reply == text and opinion.replied_at is not None:
            return Outcome(record=False, save=False)
        if moment < opinion.submitted_at:
            raise ValidationError({"replied_at": _("Cannot be before the opinion was submitted.")})
        opinion.reply = text
        opinion.replied_at = moment
        opinion.save(update_fields=["reply", "replied_at"])
        return Outcome(data={"replied_at": moment.isoformat()}, save=False)

    return OPINIONS.run(pk, "replied", actor, handle)
