"""Console pages of the core layer: the health endpoint, the security audit log, the in-app
notifications (站内消息), the import-job and export-job pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core import exports
from core.filtersets import AuditEntryFilterSet
from core.health import run_checks
from core.language import supported
from core.models import AuditEntry, ImportJob, Notification
from core.notifications import mark_read, unread_count
from core.spreadsheets import ImportReport

AUDIT_PAGE_SIZE = 50
MAX_ERRORS_SHOWN = 1000  # a wrong file can have 300,000 bad rows; the page shows the first ones and the count


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, Redis and a Celery worker are all up, 503 otherwise. Nothing is recorded (the fault
    rate comes from beat's own samples); only staff see each check's detail, a probe sees the status."""
    result = run_checks()
    status = 200 if result["status"] == "ok" else 503
    if not (request.user.is_authenticated and request.user.is_staff):
        result = {"status": result["status"]}
    return JsonResponse(result, status=status)


@login_required
@permission_required("core.view_auditentry", raise_exception=True)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """安全审计日志: read only, searchable, newest first."""
    filterset = AuditEntryFilterSet(request.GET or None, queryset=AuditEntry.objects.all())
    entries = AuditEntry.objects.all()
    if filterset.is_bound:
        entries = filterset.qs if filterset.is_valid() else AuditEntry.objects.none()
    page = Paginator(entries.order_by("-at", "-id"), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    status = 400 if filterset.is_bound and not filterset.is_valid() else 200
    return render(request, "core/audit_log.html", {"filterset": filterset, "page": page}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """站内消息: the user's latest notifications, whichever app sent them; POST marks them all read."""
    if request.method == "POST":
        mark_read(request.user)
        return redirect(request.path)
    mine = Notification.objects.filter(recipient=request.user)
    context = {"notifications": mine[:100], "unread": unread_count(request.user)}
    return render(request, "core/notifications.html", context)


def _visible_job(request: HttpRequest, pk: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=pk).select_related("created_by").first()
    if job is None or not job.visible_to(request.user):
        raise Http404  # another user's job does not exist for this reader
    return job


@login_required
@require_GET
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """An import job's page: a progress bar while it runs (static/core/import_job.js polls), the report at the end."""
    job = _visible_job(request, pk)
    report = ImportReport.from_json(job.report) if job.report and "kind" in job.report else None
    errors = (job.report or {}).get("errors", []) if job.finished else []
    shown = errors[:MAX_ERRORS_SHOWN]
    context = {"job": job, "report": report, "errors": shown, "errors_hidden": len(errors) - len(shown)}
    return render(request, "core/import_job.html", context)


@never_cache
@login_required
@require_GET
def import_job_progress(request: HttpRequest, pk: int) -> JsonResponse:
    job = _visible_job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": str(job.get_status_display()),
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "percent": job.percent,
            "finished": job.finished,
        }
    )


def _export_job(request: HttpRequest, pk: int):
    job = exports.visible_job(request.user, pk)
    if job is None:
        raise Http404  # another user's export does not exist for this reader
    return job


@login_required
@require_GET
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    """An export job's page: a progress bar while the worker writes (static/core/job_progress.js polls), then the
    download link, kept until the file expires."""
    return render(request, "core/export_job.html", {"job": _export_job(request, pk)})


@never_cache
@login_required
@require_GET
def export_job_progress(request: HttpRequest, pk: int) -> JsonResponse:
    from django.urls import reverse

    job = _export_job(request, pk)
    return JsonResponse(exports.status_of(job, reverse("export_job_download", args=[pk])))


@never_cache
@login_required
@require_GET
def export_job_download(request: HttpRequest, pk: int) -> HttpResponse:
    return exports.download_response(request, _export_job(request, pk))


def set_language(request: HttpRequest) -> HttpResponse:
    """The language switcher: Django's view (cookie and redirect), and a signed-in user's choice is remembered."""
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    language = supported(request.POST.get("language"))
    if request.method == "POST" and language and request.user.is_authenticated:
        from core.models import User

        User.objects.filter(pk=request.user.pk).update(language=language)
    return response
