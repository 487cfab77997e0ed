"""案件导出 from the console: the current queue with the current filters, as the user may see it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_GET

from cases.exports import XLSX, cases_workbook, export_filename
from cases.views.console import queue_of, queue_rows
from cases.views.queues import queues_for
from core.audit import record_export
from core.replica import reads_replica


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_GET
@reads_replica
def export(request: HttpRequest) -> HttpResponse:
    queue = queue_of(request, queues_for(request.user))
    if queue is None:
        return HttpResponseBadRequest()
    filterset, cases = queue_rows(request, queue)
    if not filterset.is_valid():
        return HttpResponseBadRequest(filterset.errors.as_text())
    body, count = cases_workbook(cases)
    record_export(request, "cases", rows=count, queue=queue)
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{export_filename()}"'
    response["X-Row-Count"] = str(count)
    return response
