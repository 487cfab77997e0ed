"""案件办理 console: the queue page and its live-update endpoint.

The queue page lists one queue (tabs with counts per stage), filtered by the same ``CaseFilterSet`` as the API and
paginated. It polls ``live/`` every few seconds: counts, the unread notification count and which visible cases
changed since the last poll; when anything changed it re-fetches only its table (``?partial=table``), so a new report
appears without a reload.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cases.deadlines import traffic_light
from cases.duplicates import duplicate_flags
from cases.filtersets import CaseFilterSet
from cases.models import Case
from cases.pagination import EstimatedCountPaginator
from cases.views import filters
from cases.views.queues import QUEUES_BY_KEY, Queue, default_queue, queue_counts, queues_for
from core.notifications import unread_count

PAGE_SIZE = 25
POLL_SECONDS = 5
# A case saved just before a poll may commit just after it: look back a little so no change is missed.
POLL_OVERLAP = timedelta(seconds=3)
CHANGED_LIMIT = 50


def queue_of(request: HttpRequest, queues: list[Queue]) -> Queue | None:
    """The queue the request asks for (``?queue=``) if the user has it, else the role's own, else the first."""
    key = request.GET.get("queue")
    allowed = {queue.key for queue in queues}
    if key in allowed:
        return QUEUES_BY_KEY[key]
    default = default_queue(request.user)
    return default if default and default.key in allowed else (queues[0] if queues else None)


def console_filterset(request: HttpRequest, queryset) -> CaseFilterSet:
    """The API's FilterSet with the console's labels, every field optional (the queue page, export and map)."""
    filterset = CaseFilterSet(request.GET, queryset=queryset, request=request)
    filters.decorate(filterset)
    return filterset


def queue_rows(request: HttpRequest, queue: Queue):
    """The filtered, ordered cases of *queue*, or the bound FilterSet when its input is invalid."""
    visible = Case.objects.visible_to(request.user)
    filterset = console_filterset(request, visible)
    if not filterset.is_valid():
        return filterset, visible.none()
    return filterset, queue.apply(filterset.qs).select_related("minor_class", "department")


def _overdue_hours(case, now: datetime) -> float:
    """How long past its deadline the case's current stage is, in hours of its own clock (working or natural)."""
    from cases.deadlines import STATUS_STAGE, minutes_between

    stage = STATUS_STAGE.get(case.status)
    if stage is None:
        return 0.0
    return round(max(0.0, minutes_between(case, case.stage_deadline, now, stage)) / 60, 1)


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_GET
def console(request: HttpRequest) -> HttpResponse:
    """案件办理: the queues of the user's role, one of them listed with its traffic lights."""
    queues = queues_for(request.user)
    queue = queue_of(request, queues)
    if queue is None:  # a permission without any queue: nothing to show
        return render(request, "cases/console.html", {"queues": []})
    filterset, cases = queue_rows(request, queue)
    counts = queue_counts(request.user, queues)
    filter_active = any(v for k, v in request.GET.items() if k not in ("queue", "page", "partial"))
    windowed = CaseFilterSet.searched(request.GET)
    known = None if filter_active else counts.get(queue.key)  # the whole queue: its count is the tab's
    page = EstimatedCountPaginator(cases, PAGE_SIZE, windowed=windowed, count=known).get_page(request.GET.get("page"))
    now = timezone.now()
    # The 疑似重复 badge is for those who may merge (受理员, 值班长); computed for this page only.
    duplicates = set()
    if request.user.has_perm("cases.accept_case"):
        duplicates = duplicate_flags([c.pk for c in page.object_list], among=Case.objects.visible_to(request.user))
    for case in page.object_list:
        case.light = traffic_light(case, now)
        case.has_duplicate_original = case.pk in duplicates
        if queue.key == "overdue" and case.stage_deadline is not None:
            case.overdue_hours = _overdue_hours(case, now)
    context = {
        "queues": [{"key": q.key, "label": q.label, "count": counts.get(q.key, 0)} for q in queues],
        "queue": queue,
        "filterset": filterset,
        "page": page,
        "unread": unread_count(request.user),
        "live_config": {
            "liveUrl": reverse("cases:live"),
            "queue": queue.key,
            "since": now.isoformat(),
            "pollSeconds": POLL_SECONDS,
            "counts": counts,
            "text": {"newCases": _("New cases: %(count)s"), "updated": _("The list was updated.")},
        },
        "filter_active": filter_active,
        "filter_errors": filters.filter_errors(filterset),
    }
    template = "cases/_queue_table.html" if request.GET.get("partial") == "table" else "cases/console.html"
    response = render(request, template, context, status=200 if filterset.is_valid() else 400)
    return response


@never_cache
@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    """What the open console page needs every few seconds: counts per queue, unread notifications, and which
    visible cases changed (``changed``) or arrived in the current queue (``new``) since ``since``."""
    since_text = request.GET.get("since", "")
    since: datetime | None = parse_datetime(since_text) if since_text else None
    if since_text and since is None:
        return HttpResponseBadRequest("since: not an ISO 8601 date-time")
    now = timezone.now()
    queues = queues_for(request.user)
    body: dict = {"now": now.isoformat(), "counts": queue_counts(request.user, queues)}
    body["unread"] = unread_count(request.user)
    body["changed"], body["new"] = [], []
    if since is not None:
        after = since - POLL_OVERLAP
        visible = Case.objects.visible_to(request.user)
        body["changed"] = list(
            visible.filter(updated_at__gt=after).order_by("-updated_at").values_list("pk", flat=True)[:CHANGED_LIMIT]
        )
        queue = QUEUES_BY_KEY.get(request.GET.get("queue", ""))
        if queue is not None and queue in queues:
            arrived = queue.apply(visible.filter(received_at__gt=since))
            body["new"] = list(arrived.order_by("-received_at").values_list("pk", flat=True)[:CHANGED_LIMIT])
    return JsonResponse(body)
