"""What the public may see of a case — one place, used by the tracking page and by Open311 alike.

Shown: the number, the class, the address and description as reported, the point, the public stage (收到, 核实,
受理, 处理中, 已处理, 已办结, 未受理), the responsible department's name, its public reply (the opinion of its latest
处置反馈, which departments write knowing the reporter reads it), the bundled disposal deadline and the photos
of the report and of the disposal. Never shown: who acted (names, roles), the centre's opinions and requests,
verification and check photos, the reporter's phone or contact fields, anyone else's report.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.choices import TERMINAL_STATUSES, CaseStatus, PhotoKind
from cases.models import CaseEvent, CasePhoto

S = CaseStatus
PUBLIC_STAGES = {
    S.REPORTED: ("received", _("Received")),  # 已收到
    S.VERIFYING: ("verifying", _("Being verified on site")),  # 核实中
    S.ACCEPTED: ("accepted", _("Accepted")),
    S.REGISTERED: ("accepted", _("Accepted")),
    S.DISPATCHED: ("in_progress", _("Being handled")),
    S.DISPOSING: ("in_progress", _("Being handled")),
    S.RETURN_REQUESTED: ("in_progress", _("Being handled")),
    S.SUSPENDED: ("in_progress", _("Being handled")),
    S.DISPOSED: ("handled", _("Handled, being checked")),
    S.CHECKING: ("handled", _("Handled, being checked")),
    S.CHECKED: ("handled", _("Handled, being checked")),
    S.SELF_DISPOSED: ("handled", _("Handled, being checked")),
    S.CLOSED: ("closed", _("Closed")),
    S.REJECTED: ("not_accepted", _("Not accepted")),
    S.REFUSED: ("not_accepted", _("Not accepted")),
    S.CANCELLED: ("not_accepted", _("Not accepted")),
    S.MERGED: ("merged", _("Handled together with an earlier report")),
}
# Steps of the public timeline (the action, and how the public reads it).
PUBLIC_STEPS = {
    "report": _("Report received"),
    "send_verify": _("A collector is on the way to verify"),
    "verify": _("Verified on site"),
    "accept": _("Accepted"),
    "reject": _("Not accepted"),
    "merge": _("Handled together with an earlier report"),
    "dispatch": _("Sent to the responsible department"),
    "sign": _("The department has started"),
    "dispose": _("The department reports it handled"),
    "check": _("Checked on site"),
    "close": _("Closed"),
    "revisit": _("Return visit answered"),
    "approve_cancel": _("Not accepted"),
}
# Before the centre accepts a report it is not yet a service request of the city (Open311 lists it only after).
NOT_YET_PUBLIC = (S.REPORTED, S.VERIFYING, S.REJECTED, S.MERGED)


def public_stage(status: str) -> tuple[str, str]:
    key, label = PUBLIC_STAGES.get(status, ("in_progress", _("Being handled")))
    return key, str(label)


def is_closed(status: str) -> bool:
    return status in TERMINAL_STATUSES


def replies(case_ids) -> dict[int, str]:
    """The department's public reply per case: the opinion of its latest 处置反馈 (one query for all)."""
    rows = (
        CaseEvent.objects.filter(case_id__in=list(case_ids), action="dispose")
        .exclude(opinion="")
        .order_by("case_id", "-at", "-id")
        .distinct("case_id")
        .values_list("case_id", "opinion")
    )
    return dict(rows)


def steps(case_ids) -> dict[int, list[dict]]:
    """The public timeline per case: when, which step (no actors, no internal opinions). One query."""
    found: dict[int, list[dict]] = {}
    rows = (
        CaseEvent.objects.filter(case_id__in=list(case_ids), action__in=list(PUBLIC_STEPS))
        .order_by("case_id", "at", "id")
        .values_list("case_id", "action", "at", "data")
    )
    for case_id, action, at, data in rows:
        if action == "check" and not (data or {}).get("passed"):
            continue  # a failed check is the centre's business until the department has redone it
        found.setdefault(case_id, []).append({"action": action, "label": str(PUBLIC_STEPS[action]), "at": at})
    return found


def public_photos(case_id: int):
    """Photos the public may see: the report's own (taken before any verification) and the department's after-photos."""
    return CasePhoto.objects.filter(case_id=case_id).filter(
        Q(kind=PhotoKind.AFTER) | Q(kind=PhotoKind.BEFORE, event__isnull=True)
    )
