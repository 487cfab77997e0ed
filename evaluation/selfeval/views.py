"""The finance page of the annual self-evaluation: years and projects, one evaluation to edit (header, funds,
indicators, texts) with its figures' sources and the consistency findings, and the buttons recompute from the
platform, check, export and import. Reading needs ``evaluation.view_selfevaluation``; every change goes through
``evaluation.selfeval.services``, which checks ``evaluation.change_selfevaluation``."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core import audit
from core.imports import runs_in_background, start_job
from evaluation.models.selfeval import FundsRow, Project, SelfEvaluation
from evaluation.selfeval import importer, refresh, services, workbook
from evaluation.selfeval.checks import Severity, run_checks
from evaluation.selfeval.forms import (
    HeaderForm,
    ImportForm,
    IndicatorFormSet,
    NewEvaluationForm,
    ReadOnlyIndicatorFormSet,
    funds_forms,
    indicator_initial,
)
from evaluation.selfeval.scoring import GRADE_LABELS_ZH

VIEW = services.VIEW_PERMISSION
CHANGE = services.CHANGE_PERMISSION
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@permission_required(VIEW, raise_exception=True)
def self_evaluation_list(request: HttpRequest) -> HttpResponse:
    evaluations = SelfEvaluation.objects.select_related("project").order_by("-year", "project__unit_name")
    years = [(year, list(rows)) for year, rows in groupby(evaluations, key=lambda e: e.year)]
    form = NewEvaluationForm()
    if request.method == "POST":
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        form = NewEvaluationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            project = data["project"]
            if project is None:
                project, _created = Project.objects.get_or_create(
                    unit_name=data["new_project_unit"],
                    name=data["new_project_name"],
                    defaults={
                        "kind": data["new_project_kind"] or "project",
                        "competent_department": data["new_project_department"],
                    },
                )
            evaluation = services.create_self_evaluation(request.user, project, data["year"])
            return redirect("evaluation:self_evaluation", pk=evaluation.pk)
    return render(
        request,
        "evaluation/selfeval_list.html",
        {"years": years, "form": form, "can_change": request.user.has_perm(CHANGE), "grade_labels": GRADE_LABELS_ZH},
        status=400 if form.errors else 200,
    )


def _context(
    request, evaluation: SelfEvaluation, *, header=None, funds=None, formset=None, import_form=None, import_errors=None
):
    data = services.load(evaluation)
    findings = run_checks(data)
    indicators = data.indicators
    formset_class = IndicatorFormSet if request.user.has_perm(CHANGE) else ReadOnlyIndicatorFormSet
    formset = formset or formset_class(prefix="ind", initial=indicator_initial(indicators))
    funds = funds or funds_forms(evaluation)
    header = header or HeaderForm(instance=evaluation)
    if not request.user.has_perm(CHANGE):  # readers see the form as it is, without inputs they could use
        for form in [header, *funds.values(), *formset.forms]:
            for field in form.fields.values():
                field.disabled = True
    rows = []
    for index, form in enumerate(formset.forms):
        indicator = indicators[index] if index < len(indicators) else None
        rows.append({"form": form, "indicator": indicator, "actual_source": _actual_source(indicator)})
    return {
        "evaluation": evaluation,
        "data": data,
        "findings": findings,
        "errors": [f for f in findings if f.severity == Severity.ERROR],
        # An execution rate computed from amounts in mixed units means nothing: the headline says so instead.
        "funds_rate_flagged": any(f.code == "unit_mixup" for f in findings),
        "header": header,
        "funds": [
            (FundsRow(row), form, data.funds.get(row), _cells(form, data.funds.get(row))) for row, form in funds.items()
        ],
        "grade_label": GRADE_LABELS_ZH.get(evaluation.grade, ""),
        "declared_grade_label": GRADE_LABELS_ZH.get(evaluation.declared_grade, ""),
        "formset": formset,
        "rows": rows,
        "import_form": import_form or ImportForm(),
        "import_errors": import_errors or [],
        "can_change": request.user.has_perm(CHANGE),
        "grade_labels": GRADE_LABELS_ZH,
        "refresh": refresh.active_refresh(evaluation.pk),
        "last_refresh_failed": getattr(refresh.latest_refresh(evaluation.pk), "status", "") == "failed",
        "events": list(evaluation.events.select_related("actor").order_by("-at", "-id")[:12]),
        "weights_total": sum((i.weight or 0 for i in indicators), 0) + evaluation.funds_weight,
    }


def _source_label(kind: str) -> str:
    labels = {
        "metric": _("platform"),
        "manual": _("typed in"),
        "import": _("imported"),
        "computed": _("computed"),
        "copied": _("copied from last year"),
    }
    return labels.get(kind, kind)


def _actual_source(indicator) -> dict | None:
    """Where an indicator's actual value came from, for the badge under it (typed in when nothing says otherwise)."""
    if indicator is None:
        return None
    src = dict((indicator.sources or {}).get("actual") or {"kind": "manual"})
    src["label"] = _source_label(src.get("kind", "manual"))
    if indicator.metric_key:
        src["metric"] = indicator.metric_key
        src["metric_label"], src["formula"] = services.metric_definition(indicator.metric_key)
    return src


def _cells(form, line) -> list:
    sources = line.sources if line else {}
    cells = []
    for name in services.FUNDS_AMOUNTS:
        src = dict(sources[name]) if sources.get(name) else None
        if src:
            src["label"] = _source_label(src.get("kind", ""))
        cells.append((form[name], src))
    return cells


@login_required
@permission_required(VIEW, raise_exception=True)
def self_evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_object_or_404(SelfEvaluation.objects.select_related("project"), pk=pk)
    if request.method != "POST":
        return render(request, "evaluation/selfeval_detail.html", _context(request, evaluation))
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied
    header = HeaderForm(request.POST, instance=SelfEvaluation.objects.get(pk=pk))
    funds = funds_forms(evaluation, request.POST)
    formset = IndicatorFormSet(request.POST, prefix="ind")
    valid = header.is_valid() & all(f.is_valid() for f in funds.values()) & formset.is_valid()
    if valid:
        rows = []
        for form in formset.forms:
            data = form.cleaned_data
            if not data or (not form.has_content()):
                continue
            rows.append({"delete": True, "id": data["id"]} if data.get("delete") else {**data})
        try:
            services.save_self_evaluation(
                pk,
                request.user,
                header={f: header.cleaned_data[f] for f in header.Meta.fields},
                funds={row: form.cleaned_data for row, form in funds.items()},
                indicators=rows,
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()))
            valid = False
        else:
            messages.success(request, _("Saved and recomputed."))
            return redirect("evaluation:self_evaluation", pk=pk)
    context = _context(request, evaluation, header=header, funds=funds, formset=formset)
    return render(request, "evaluation/selfeval_detail.html", context, status=400)


@login_required
@require_POST
def self_evaluation_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    """从平台重新取数: queues the recomputation (a worker fetches the figures); the page then shows its progress. A
    second click while it runs follows the same one."""
    get_object_or_404(SelfEvaluation, pk=pk)
    _refresh, created = refresh.request_refresh(pk, request.user)
    if created:
        messages.info(request, _("The figures are being fetched from the platform; the page updates when done."))
    else:
        messages.info(request, _("The figures are already being fetched from the platform."))
    return redirect(f"{reverse('evaluation:self_evaluation', args=[pk])}#refresh")


@never_cache
@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def self_evaluation_refresh_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The progress of the latest recomputation from the platform (polled by static/core/job_progress.js)."""
    get_object_or_404(SelfEvaluation, pk=pk)
    return JsonResponse(refresh.status_of(refresh.latest_refresh(pk)))


@login_required
@require_POST
def self_evaluation_check(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(SelfEvaluation, pk=pk)
    _evaluation, findings = services.check_self_evaluation(pk, request.user)
    errors = [f for f in findings if f.severity == Severity.ERROR]
    if errors:
        messages.warning(
            request, _("%(count)s inconsistencies must be resolved before the form is final.") % {"count": len(errors)}
        )
    else:
        messages.success(request, _("No inconsistency found: the self-evaluation is checked."))
    return redirect(f"{reverse('evaluation:self_evaluation', args=[pk])}#findings")


@login_required
@require_POST
def self_evaluation_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(SelfEvaluation, pk=pk)
    services.adopt_platform_figures(pk, request.user)
    messages.success(request, _("The declared figures were replaced by the platform's."))
    return redirect("evaluation:self_evaluation", pk=pk)


def xlsx_response(evaluation: SelfEvaluation) -> HttpResponse:
    from urllib.parse import quote

    content = workbook.workbook_bytes(services.load(evaluation))
    response = HttpResponse(content, content_type=XLSX)
    name = workbook.workbook_filename(evaluation)
    response["Content-Disposition"] = (
        f"attachment; filename=\"selfeval-{evaluation.pk}.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
def self_evaluation_workbook(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the workbook. POST (the export button, finance) records the export and marks it exported; GET only
    downloads (any reader)."""
    evaluation = get_object_or_404(SelfEvaluation.objects.select_related("project"), pk=pk)
    if request.method == "POST":
        evaluation = services.record_export(pk, request.user)
    response = xlsx_response(evaluation)
    audit.record_export(request, "self_evaluation", obj=evaluation)
    return response


@login_required
@require_POST
def self_evaluation_import(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_object_or_404(SelfEvaluation.objects.select_related("project"), pk=pk)
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied
    form = ImportForm(request.POST, request.FILES)
    errors: list = []
    if form.is_valid() and runs_in_background(form.cleaned_data["workbook"].upload_info):
        upload = form.cleaned_data["workbook"]
        job = start_job("selfeval", upload, request.user, rows=upload.upload_info.rows, options={"evaluation": pk})
        return redirect("import_job", pk=job.pk)
    if form.is_valid():
        upload = form.cleaned_data["workbook"]
        try:
            importer.import_workbook(pk, request.user, upload.read(), upload.name)
        except importer.WorkbookInvalid as exc:
            errors = exc.errors
            audit.record_import(
                "self_evaluation",
                request=request,
                obj=evaluation,
                file_name=upload.name,
                rows=None,
                outcome="refused",
                errors=len(errors),
            )
        else:
            audit.record_import(
                "self_evaluation", request=request, obj=evaluation, file_name=upload.name, rows=None, outcome="written"
            )
            messages.success(request, _("The workbook was imported and the figures recomputed."))
            return redirect("evaluation:self_evaluation", pk=pk)
    context = _context(request, evaluation, import_form=form, import_errors=errors)
    return render(request, "evaluation/selfeval_detail.html", context, status=400)
