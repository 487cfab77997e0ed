"""The case a converted order (转案件) follows: completes when it closes, follows a merge, returns when it ends
otherwise."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from hotlines.choices import OrderStatus
from hotlines.models import WorkOrder
from hotlines.services.runner import mark_completed, record_event

S = OrderStatus


def on_case_transition(case_id: int, event_id: int) -> None:
    """Listener registered with ``cases.timeline.after_transition``: a converted order completes when its case
    closes; follows its case when that is merged into another (completing at once if the other is closed); and
    returns to the operators (RECEIVED) when the case ends otherwise (rejected, refused, cancelled)."""
    from cases.choices import TERMINAL_STATUSES, CaseStatus
    from cases.models import Case, CaseEvent

    event = CaseEvent.objects.filter(pk=event_id).only("to_status", "at").first()
    if event is None or event.to_status not in TERMINAL_STATUSES:
        return
    outcome = "closed" if event.to_status == CaseStatus.CLOSED else "ended"
    target = None
    if event.to_status == CaseStatus.MERGED:
        target = Case.objects.filter(pk=case_id).values_list("merged_into_id", flat=True).first()
        if target is not None:
            outcome = "merged"
    for order_id in WorkOrder.objects.filter(case_id=case_id, status=S.CONVERTED).values_list("pk", flat=True):
        case_ended(order_id, outcome=outcome, case_event=event_id, at=event.at, merged_into=target)


def case_ended(
    order_id: int, *, outcome: str, case_event: int, at: datetime, merged_into: int | None = None
) -> WorkOrder | None:
    """The system's transition of a converted order whose case ended (no user: the event's actor is empty).
    *outcome*: ``closed`` (the order completes), ``merged`` (it follows the original case) or ``ended``."""
    from cases.choices import CaseStatus
    from cases.models import Case

    with transaction.atomic():
        order = WorkOrder.objects.select_for_update().get(pk=order_id)
        if order.status != S.CONVERTED:
            return None
        data = {"case": order.case_id, "case_event": case_event}
        if outcome == "merged":
            original = Case.objects.get(pk=merged_into)
            order.case = original
            data["merged_into"] = original.pk
            if original.status == CaseStatus.CLOSED:  # the original closed already: nothing left to wait for
                outcome, at = "closed", max(at, original.closed_at or at)
        if outcome == "closed":
            case_no = Case.objects.filter(pk=order.case_id).values_list("case_no", flat=True).first()
            order.reply_text = order.reply_text or _("Handled as city-management case %(no)s, now closed.") % {
                "no": case_no
            }
            order.replied_at = order.replied_at or at
            mark_completed(order, at)
            action, to_status = "case_closed", S.COMPLETED
        elif outcome == "merged":
            action, to_status = "case_merged", S.CONVERTED
        else:
            action, to_status = "case_ended", S.RECEIVED
            order.case = None
            order.transferred_at = None
        order.status = to_status
        order.save()
        record_event(order, action, None, S.CONVERTED, to_status, at=at, data=data)
    return order
