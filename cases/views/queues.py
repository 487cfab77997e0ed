"""The console's work queues (待办队列): which cases wait for whom, and how many.

A queue is shown to users holding its permission (never chosen by role name); the first queue of the user's own
work is their default: an operator lands on 待受理, a shift leader on 待立案, a dispatcher on 待派遣, a department
handler on 待签收. Which rows each queue holds is further limited by ``Case.objects.visible_to(user)``, so a handler
only ever counts and sees their own department's cases.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.choices import TERMINAL_STATUSES, RequestKind, RequestStatus
from cases.choices import CaseStatus as S
from cases.models import Case, CaseRequest
from core.models import User

OPEN = ~Q(status__in=[s.value for s in TERMINAL_STATUSES])
URGENT_FIRST = (F("stage_deadline").asc(nulls_last=True), "received_at", "pk")
NEWEST_FIRST = ("-received_at", "-pk")


@dataclass(frozen=True)
class Queue:
    key: str
    label: str | Promise
    permission: str  # who sees this queue
    condition: Q | None  # None: every visible case
    ordering: tuple = URGENT_FIRST
    pending_request: str = ""  # a queue of applications (RequestKind) waiting for a decision

    def apply(self, queryset: QuerySet) -> QuerySet:
        if self.condition is not None:
            queryset = queryset.filter(self.condition)
        if self.pending_request:
            waiting = CaseRequest.objects.filter(
                case=OuterRef("pk"), kind=self.pending_request, status=RequestStatus.PENDING
            )
            queryset = queryset.filter(Exists(waiting))
        return queryset.order_by(*self.ordering)


# Grouped by whose work they are; the order of the groups decides the default queue of a user holding several
# permissions (a shift leader may also accept, but their own work is registering and closing).
QUEUES: list[Queue] = [
    # Department handler (处置部门)
    Queue("to_sign", _("To sign for"), "cases.dispose_case", Q(status=S.DISPATCHED)),
    Queue("disposing", _("Disposing"), "cases.dispose_case", Q(status=S.DISPOSING)),
    # Dispatcher (派遣员)
    Queue("to_dispatch", _("To dispatch"), "cases.dispatch_case", Q(status=S.REGISTERED)),
    Queue("return_requests", _("Return requests"), "cases.dispatch_case", Q(status=S.RETURN_REQUESTED)),
    Queue(
        "extension_requests", _("Extension requests"), "cases.dispatch_case", None, URGENT_FIRST, RequestKind.EXTENSION
    ),
    Queue(
        "suspension_requests",
        _("Suspension requests"),
        "cases.dispatch_case",
        None,
        URGENT_FIRST,
        RequestKind.SUSPENSION,
    ),
    Queue("suspended", _("Suspended"), "cases.dispatch_case", Q(status=S.SUSPENDED)),
    # Shift leader (值班长)
    Queue("to_register", _("To register"), "cases.register_case", Q(status=S.ACCEPTED)),
    Queue("to_close", _("To close"), "cases.register_case", Q(status__in=[S.CHECKED, S.SELF_DISPOSED])),
    Queue(
        "cancel_requests",
        _("Cancellation requests"),
        "cases.approve_cancel_case",
        None,
        URGENT_FIRST,
        RequestKind.CANCEL,
    ),
    # Operator (受理员)
    Queue("to_accept", _("To accept"), "cases.accept_case", Q(status=S.REPORTED)),
    Queue("verifying", _("Verifying"), "cases.accept_case", Q(status=S.VERIFYING)),
    Queue("to_check", _("To send for check"), "cases.accept_case", Q(status=S.DISPOSED)),
    Queue("checking", _("Checking"), "cases.accept_case", Q(status=S.CHECKING)),
    # Everyone who sees cases
    Queue("overdue", _("Overdue cases"), "cases.view_case", OPEN & Q(is_overdue=True)),
    Queue("open", _("All open"), "cases.view_case", OPEN, NEWEST_FIRST),
    Queue("all", _("All cases"), "cases.view_case", None, NEWEST_FIRST),
]
# The groups in the order their holder's default queue is looked for.
DEFAULT_ORDER = [
    "cases.dispose_case",
    "cases.register_case",
    "cases.dispatch_case",
    "cases.accept_case",
    "cases.urge_case",
    "cases.view_case",
]
_DEFAULT_OF_PERMISSION = {
    "cases.dispose_case": "to_sign",
    "cases.register_case": "to_register",
    "cases.dispatch_case": "to_dispatch",
    "cases.accept_case": "to_accept",
    "cases.urge_case": "overdue",
    "cases.view_case": "open",
}
QUEUES_BY_KEY = {queue.key: queue for queue in QUEUES}


def queues_for(user: User) -> list[Queue]:
    """The queues this user sees, their own work first."""
    mine = [queue for queue in QUEUES if user.has_perm(queue.permission)]
    first = default_queue(user)
    if first is None:
        return mine
    group = first.permission
    return [q for q in mine if q.permission == group] + [q for q in mine if q.permission != group]


def default_queue(user: User) -> Queue | None:
    for permission in DEFAULT_ORDER:
        if user.has_perm(permission):
            return QUEUES_BY_KEY[_DEFAULT_OF_PERMISSION[permission]]
    return None


def queue_counts(user: User, queues: list[Queue]) -> dict[str, int]:
    """How many visible cases each queue holds: one aggregate over the cases for the status queues, one grouped
    count of the (few) pending applications for the request queues."""
    visible = Case.objects.visible_to(user)
    by_status = [queue for queue in queues if not queue.pending_request]
    by_request = {queue.pending_request: queue.key for queue in queues if queue.pending_request}
    counts: dict[str, int] = {}
    if by_status:
        counts.update(
            visible.order_by().aggregate(
                **{
                    q.key: Count("pk", filter=q.condition) if q.condition is not None else Count("pk")
                    for q in by_status
                }
            )
        )
    if by_request:
        counts.update(dict.fromkeys(by_request.values(), 0))
        pending = (
            CaseRequest.objects.filter(status=RequestStatus.PENDING, kind__in=list(by_request), case__in=visible)
            .order_by()
            .values("kind")
            .annotate(n=Count("case", distinct=True))
        )
        counts.update({by_request[row["kind"]]: row["n"] for row in pending})
    return counts
