"""案件导出 from the console: the current queue with the current filters, as the user may see it. Above
``EXPORT_INLINE_MAX_ROWS`` rows the export becomes a job (core.exports) and the browser goes to its page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from cases.exports import PERMISSION, XLSX, cases_workbook, export_filename
from cases.views.console import queue_of, queue_rows
from cases.views.queues import queues_for
from core import exports as export_jobs
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
    if export_jobs.runs_in_background(cases):
        options = {"filters": export_jobs.filters_of(request.GET), "queue": queue.key}
        job, _created = export_jobs.start_job("cases", request.user, permission=PERMISSION, options=options)
        return redirect("export_job", pk=job.pk)
    body, count = cases_workbook(cases)
    record_export(request, "cases", rows=count, queue=queue)
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{export_filename()}"'
    response["X-Row-Count"] = str(count)
    return response
