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

from cases import tally
from cases.choices import TERMINAL_STATUSES, RequestKind, RequestStatus
from cases.choices import CaseStatus as S
from cases.models import Case, CaseRequest
from cases.querysets import case_scope
from core.models import User

# Named positively (status IN the open ones) so the queue queries can use the partial indexes on open cases.
OPEN_STATUSES = tuple(sorted(s.value for s in S if s not in TERMINAL_STATUSES))
URGENT_FIRST = (F("stage_deadline").asc(nulls_last=True), "received_at", "pk")
NEWEST_FIRST = ("-received_at", "-pk")


@dataclass(frozen=True)
class Queue:
    key: str
    label: str | Promise
    permission: str  # who sees this queue
    statuses: tuple[str, ...] | None  # None: every visible case
    ordering: tuple = URGENT_FIRST
    pending_request: str = ""  # a queue of applications (RequestKind) waiting for a decision
    overdue_only: bool = False  # only cases flagged overdue

    @property
    def condition(self) -> Q | None:
        condition = None
        if self.statuses is not None:
            condition = Q(status=self.statuses[0]) if len(self.statuses) == 1 else Q(status__in=self.statuses)
        if self.overdue_only:
            condition = Q(is_overdue=True) if condition is None else condition & Q(is_overdue=True)
        return condition

    def holds(self, status: str, overdue: bool) -> bool:
        """Whether a case with this status and overdue flag is in the queue (counting from grouped rows)."""
        return (self.statuses is None or status in self.statuses) and (overdue or not self.overdue_only)

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
    Queue("to_sign", _("To sign for"), "cases.dispose_case", (S.DISPATCHED,)),
    Queue("disposing", _("Disposing"), "cases.dispose_case", (S.DISPOSING,)),
    # Dispatcher (派遣员)
    Queue("to_dispatch", _("To dispatch"), "cases.dispatch_case", (S.REGISTERED,)),
    Queue("return_requests", _("Return requests"), "cases.dispatch_case", (S.RETURN_REQUESTED,)),
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
    Queue("suspended", _("Suspended"), "cases.dispatch_case", (S.SUSPENDED,)),
    # Shift leader (值班长)
    Queue("to_register", _("To register"), "cases.register_case", (S.ACCEPTED,)),
    Queue("to_close", _("To close"), "cases.register_case", (S.CHECKED, S.SELF_DISPOSED)),
    Queue(
        "cancel_requests",
        _("Cancellation requests"),
        "cases.approve_cancel_case",
        None,
        URGENT_FIRST,
        RequestKind.CANCEL,
    ),
    # Operator (受理员)
    Queue("to_accept", _("To accept"), "cases.accept_case", (S.REPORTED,)),
    Queue("verifying", _("Verifying"), "cases.accept_case", (S.VERIFYING,)),
    Queue("to_check", _("To send for check"), "cases.accept_case", (S.DISPOSED,)),
    Queue("checking", _("Checking"), "cases.accept_case", (S.CHECKING,)),
    # Everyone who sees cases
    Queue("overdue", _("Overdue cases"), "cases.view_case", OPEN_STATUSES, overdue_only=True),
    Queue("open", _("All open"), "cases.view_case", OPEN_STATUSES, NEWEST_FIRST),
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


def queue_counts(user: User, queues: list[Queue], overdue: dict[str, int] | None = None) -> dict[str, int]:
    """How many visible cases each queue holds, exact, in two queries whatever the queues:

    * the status queues (and a queue of every case) from the user's cases grouped by (status, overdue flag): read
      from the case tally (cases/tally.py, a few hundred rows whatever the number of cases) for a scope of whole
      departments or every case, and counted from the cases themselves for a collector's few (``_counted``);
    * the request queues from one grouped count of the (few) pending applications.

    Given an ``overdue`` dict, it is filled, from the same grouped rows, with how many of each status queue's cases
    are flagged overdue (the home page's "overdue" column).
    """
    scope = case_scope(user)
    visible = Case.objects.within(scope)
    by_status = [queue for queue in queues if not queue.pending_request]
    by_request = {queue.pending_request: queue.key for queue in queues if queue.pending_request}
    counts: dict[str, int] = {}
    if by_status:
        rows = tally.counts(scope, using=visible.db)
        if rows is None:
            rows = _counted(visible, by_status)
        for queue in by_status:
            counts[queue.key] = sum(n for status, late, n in rows if queue.holds(status, late))
            if overdue is not None and queue.statuses is not None:
                overdue[queue.key] = sum(n for status, late, n in rows if late and queue.holds(status, late))
    if by_request:
        counts.update(dict.fromkeys(by_request.values(), 0))
        pending = CaseRequest.objects.filter(status=RequestStatus.PENDING, kind__in=list(by_request))
        if not scope.everything:  # only applications on cases they see
            pending = pending.filter(case__in=visible)
        pending = pending.order_by().values("kind").annotate(n=Count("case", distinct=True))
        counts.update({by_request[row["kind"]]: row["n"] for row in pending})
    return counts


def _counted(visible: QuerySet, queues: list[Queue]) -> list[tuple[str, bool, int]]:
    """The visible cases grouped by (status, overdue flag), counted: only the statuses the queues name, unless a
    queue holds every case."""
    grouped = visible.order_by().values_list("status", "is_overdue").annotate(n=Count("pk"))
    if all(queue.statuses is not None for queue in queues):
        grouped = grouped.filter(status__in=sorted({status for queue in queues for status in queue.statuses}))
    return list(grouped)


def queue_soon(user: User, queues: list[Queue], now=None) -> dict[str, int]:
    """Per status queue, how many of its visible cases turn yellow within the next working hour
    (``cases.attention.turning_yellow``, the list's ``turns_yellow=true``): one grouped count read through the
    partial index on open cases' deadlines (one range per stage limit). Queues of applications and of every case
    get none."""
    from cases.attention import turning_yellow

    by_status = [q for q in queues if not q.pending_request and q.statuses is not None]
    named = sorted({status for queue in by_status for status in queue.statuses})
    if not named:
        return {}
    rows = (
        Case.objects.visible_to(user)
        .filter(turning_yellow(now), status__in=named)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    per_status = {row["status"]: row["n"] for row in rows}
    return {
        queue.key: 0 if queue.overdue_only else sum(per_status.get(s, 0) for s in queue.statuses) for queue in by_status
    }
