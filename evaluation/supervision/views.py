"""Console pages of supervision (/evaluation/supervision/): inspection records (list, new with photos, one record
with its reversal), trainings, the collectors' list with their home department and training flag, and the
company's monthly assessments. Reading needs the view permissions; every change goes through ``services`` or
``assessment``, which check the acting permission again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.spreadsheets import XLSX
from core.workflow import NotVisible, WorkflowError
from evaluation.supervision import assessment, services, training, workbook
from evaluation.supervision.forms import (
    CorrectionForm,
    FillForm,
    InspectionForm,
    NewAssessmentForm,
    ReversalForm,
    TrainingForm,
    collectors,
)
from evaluation.supervision.models import Assessment, CollectorProfile, InspectionRecord, Training
from evaluation.supervision.workflow import ASSESS_PERMISSION


def _add_errors(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.has_perm(services.INSPECT_PERMISSION) or user.has_perm(services.VIEW_INSPECTIONS)):
        raise PermissionDenied
    records = services.visible_records(user).prefetch_related("photos")[:200]
    return render(
        request,
        "evaluation/supervision/inspection_list.html",
        {"records": records, "can_inspect": user.has_perm(services.INSPECT_PERMISSION)},
    )


@login_required
@permission_required(services.INSPECT_PERMISSION, raise_exception=True)
def inspection_new(request: HttpRequest) -> HttpResponse:
    form = InspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.record_inspection(
                request.user,
                inspected_on=data["inspected_on"],
                team=data["team"],
                collector=data["collector"],
                kind=data["kind"],
                grid_code=data["grid_code"],
                case=data["case_no"],
                description=data["description"],
                deduction=data["deduction"],
                photos=request.FILES.getlist("photos"),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Inspection record saved."))
            return redirect("evaluation:inspection", record.pk)
    status = 400 if form.errors else 200
    return render(request, "evaluation/supervision/inspection_form.html", {"form": form}, status=status)


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = services.visible_records(request.user).filter(pk=pk).prefetch_related("photos", "corrections").first()
    if record is None:
        raise Http404
    context = {
        "record": record,
        "reversed_by": InspectionRecord.objects.filter(reverses=record).first(),
        "can_reverse": request.user.has_perm(services.INSPECT_PERMISSION) and record.reverses_id is None,
        "reversal_form": ReversalForm(),
        "correction_form": CorrectionForm(initial={n: getattr(record, n) for n in services.CORRECTABLE})
        if services.may_correct(request.user)
        else None,
    }
    return render(request, "evaluation/supervision/inspection_detail.html", context)


@login_required
@require_POST
@permission_required(services.INSPECT_PERMISSION, raise_exception=True)
def inspection_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    record = services.visible_records(request.user).filter(pk=pk).first()
    if record is None:
        raise Http404
    form = ReversalForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"reason": _("Give the reason for the reversal.")})
        reversal = services.reverse_inspection(request.user, record, form.cleaned_data["reason"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("evaluation:inspection", record.pk)
    messages.success(request, _("The record is reversed."))
    return redirect("evaluation:inspection", reversal.pk)


@login_required
@require_POST
def inspection_correct(request: HttpRequest, pk: int) -> HttpResponse:
    if not services.may_correct(request.user):
        raise PermissionDenied
    record = services.visible_records(request.user).filter(pk=pk).first()
    if record is None:
        raise Http404
    form = CorrectionForm(request.POST)
    try:
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise ValidationError({field: errors})
        data = form.cleaned_data
        changes = {n: data[n] for n in services.CORRECTABLE if data[n] != getattr(record, n)}
        if not changes:
            raise ValidationError({"reason": _("Nothing to correct.")})
        services.correct_inspection(request.user, record, data["reason"], **changes)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("evaluation:inspection", record.pk)
    messages.success(request, _("The record is corrected."))
    return redirect("evaluation:inspection", record.pk)


@login_required
@permission_required("evaluation.view_training", raise_exception=True)
def training_list(request: HttpRequest) -> HttpResponse:
    can_add = request.user.has_perm(services.TRAIN_PERMISSION)
    form = TrainingForm(request.POST or None) if can_add else None
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            results = {user: True for user in data["passed"]} | {user: False for user in data["failed"]}
            try:
                services.record_training(
                    request.user,
                    held_on=data["held_on"],
                    topic=data["topic"],
                    trainer=data["trainer"],
                    results=results,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Training saved."))
                return redirect("evaluation:trainings")
    trainings = Training.objects.prefetch_related("attendances__collector")[:100]
    status = 400 if form is not None and form.errors else 200
    return render(
        request, "evaluation/supervision/training_list.html", {"trainings": trainings, "form": form}, status=status
    )


@login_required
@permission_required("evaluation.view_collectorprofile", raise_exception=True)
def collector_list(request: HttpRequest) -> HttpResponse:
    """Every active collector: home department, start date, last training's result — flagged when failed or never
    trained."""
    people = list(collectors())
    profiles = {p.user_id: p for p in CollectorProfile.objects.filter(user__in=people)}
    results = training.last_results([u.pk for u in people])
    rows = [
        {"user": u, "profile": profiles.get(u.pk), "trained": results.get(u.pk), "flagged": not results.get(u.pk)}
        for u in people
    ]
    return render(request, "evaluation/supervision/collector_list.html", {"rows": rows})


# ---- The company's monthly assessment ----------------------------------------------------------------------------

VIEW_ASSESSMENTS = "evaluation.view_assessment"


def _refused(request: HttpRequest, error: WorkflowError | ValidationError) -> None:
    if isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.error(request, error.detail)


@login_required
@permission_required(VIEW_ASSESSMENTS, raise_exception=True)
def assessment_list(request: HttpRequest) -> HttpResponse:
    can_assess = request.user.has_perm(ASSESS_PERMISSION)
    form = NewAssessmentForm(request.POST or None)
    if request.method == "POST":
        if not can_assess:
            raise PermissionDenied
        if form.is_valid():
            try:
                made = assessment.create_assessment(
                    request.user, form.cleaned_data["month"], form.cleaned_data["company"]
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return redirect("evaluation:assessment", made.pk)
    status = 400 if form.errors else 200
    context = {"assessments": Assessment.objects.all()[:60], "form": form if can_assess else None}
    return render(request, "evaluation/supervision/assessment_list.html", context, status=status)


@login_required
@permission_required(VIEW_ASSESSMENTS, raise_exception=True)
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Assessment, pk=pk)
    context = {
        "assessment": item,
        "compared": assessment.comparison(item),
        "events": item.events.all(),
        "can_change": request.user.has_perm(ASSESS_PERMISSION) and not item.is_confirmed,
    }
    return render(request, "evaluation/supervision/assessment_detail.html", context)


@login_required
@require_POST
def assessment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    try:
        if action == "recompute":
            assessment.recompute(pk, request.user)
        elif action == "confirm":
            assessment.confirm(pk, request.user)
        elif action == "fill":
            form = FillForm(request.POST)
            if not form.is_valid():
                field, errors = next(iter(form.errors.items()))
                raise ValidationError({field: errors})
            data = form.cleaned_data
            assessment.fill(pk, request.user, data["line"], data["value"], data["reason"])
        else:
            raise Http404
    except NotVisible as error:
        raise Http404 from error
    except (WorkflowError, ValidationError) as error:
        if isinstance(error, PermissionDenied):
            raise
        _refused(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect("evaluation:assessment", pk)


@login_required
@permission_required(VIEW_ASSESSMENTS, raise_exception=True)
def assessment_workbook(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Assessment, pk=pk)
    response = HttpResponse(workbook.workbook(item), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="assessment-{item.month:%Y-%m}.xlsx"'
    return response
