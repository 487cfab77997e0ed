"""Console pages of the other intake channels (其他渠道), mounted under /hotlines/channels/: for online opinion,
leaders' inspections and chat groups a filtered list, an entry form that records the item and raises its case, and
the item's page with its case(s) and their current status; for video the camera registry on a map and "raise a case
from this camera" with a snapshot.

Pages check ``hotlines.*`` permissions; writing goes through ``hotlines.channels.services`` (permission, input,
idempotency). Bad input → 400 with the form's errors, a role that may not → 403, an unknown record → 404."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.workflow import Forbidden, NotVisible
from hotlines.channels import services
from hotlines.channels.filtersets import (
    CameraFilterSet,
    ChatGroupReportFilterSet,
    InspectionFilterSet,
    OnlineOpinionFilterSet,
)
from hotlines.channels.forms import (
    CameraCaseForm,
    ChatReportEntryForm,
    InspectionEntryForm,
    OpinionEntryForm,
    ProblemForm,
    RectificationForm,
    ReplyForm,
)
from hotlines.channels.forms import ScreenshotForm as _ScreenshotForm
from hotlines.channels.models import Camera, ChatGroupReport, Inspection, OnlineOpinion, VideoCase

PAGE_SIZE = 50
CHANNEL_PERMISSIONS = (
    "hotlines.view_onlineopinion",
    "hotlines.view_inspection",
    "hotlines.view_chatgroupreport",
    "hotlines.view_camera",
)


def may_see_channels(user) -> bool:
    return any(user.has_perm(permission) for permission in CHANNEL_PERMISSIONS)


def _call(form, func: Callable, *args, **kwargs):
    """Run a service call for a bound form: (result, None) or (None, error status) with the errors on the form."""
    try:
        return func(*args, **kwargs), None
    except Forbidden as exc:  # the transition contract's refusals (core.workflow), as the console answers them
        raise PermissionDenied(exc.detail) from None
    except NotVisible as exc:
        raise Http404(exc.detail) from None
    except ValidationError as exc:
        form.add_service_errors(exc)
        return None, 400


def _listing(request, queryset, filterset_class, template: str, extra: dict) -> HttpResponse:
    filterset = filterset_class(request.GET or None, queryset=queryset)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {"filterset": filterset, "page": page, **extra})


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if not may_see_channels(request.user):
        raise PermissionDenied
    cards = [
        ("opinions", "hotlines:opinion_list", _("Online opinion"), "hotlines.view_onlineopinion", OnlineOpinion),
        ("inspections", "hotlines:inspection_list", _("Leaders' inspections"), "hotlines.view_inspection", Inspection),
        ("chat", "hotlines:chat_list", _("Chat-group reports"), "hotlines.view_chatgroupreport", ChatGroupReport),
        ("cameras", "hotlines:camera_list", _("Video cameras"), "hotlines.view_camera", Camera),
    ]
    visible = [
        {"key": key, "url": url, "label": label, "count": model.objects.count()}
        for key, url, label, permission, model in cards
        if request.user.has_perm(permission)
    ]
    return render(request, "hotlines/channels/index.html", {"cards": visible})


def _entry(request, form_class, template_context: dict, save: Callable) -> HttpResponse:
    form = form_class(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result, status = _call(form, save, request.user, **form.service_data())
            if result is not None:
                record, created = result
                if created:
                    messages.success(request, _("Recorded; its case is raised."))
                else:
                    messages.info(request, _("This was already recorded; nothing new was written."))
                return redirect(template_context["detail_url"], pk=record.pk)
    return render(request, "hotlines/channels/form.html", {"form": form, **template_context}, status=status)


# ---- online opinion ------------------------------------------------------------------------------------------------


@login_required
@permission_required("hotlines.view_onlineopinion", raise_exception=True)
def opinion_list(request: HttpRequest) -> HttpResponse:
    queryset = OnlineOpinion.objects.select_related("case").order_by("-submitted_at", "-id")
    return _listing(
        request,
        queryset,
        OnlineOpinionFilterSet,
        "hotlines/channels/opinion_list.html",
        {"can_add": request.user.has_perm("hotlines.add_onlineopinion")},
    )


@login_required
@permission_required("hotlines.add_onlineopinion", raise_exception=True)
@require_http_methods(["GET", "POST"])
def opinion_new(request: HttpRequest) -> HttpResponse:
    context = {
        "title": _("New online opinion"),
        "back_url": "hotlines:opinion_list",
        "back_label": _("Online opinion"),
        "detail_url": "hotlines:opinion_detail",
        "form_id": "opinion-entry",
    }
    return _entry(request, OpinionEntryForm, context, services.record_opinion)


def _opinion_page(request, opinion: OnlineOpinion, reply_form=None, status: int = 200) -> HttpResponse:
    can_reply = request.user.has_perm("hotlines.change_onlineopinion")
    if can_reply and reply_form is None:
        reply_form = ReplyForm(initial={"reply": opinion.reply})
    context = {"opinion": opinion, "reply_form": reply_form if can_reply else None}
    context["history"] = services.history(opinion)
    return render(request, "hotlines/channels/opinion_detail.html", context, status=status)


@login_required
@permission_required("hotlines.view_onlineopinion", raise_exception=True)
def opinion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _opinion_page(request, get_object_or_404(OnlineOpinion.objects.select_related("case"), pk=pk))


@login_required
@permission_required("hotlines.change_onlineopinion", raise_exception=True)
@require_POST
def opinion_reply(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = get_object_or_404(OnlineOpinion.objects.select_related("case"), pk=pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        result, _status = _call(form, services.reply_opinion, request.user, pk, **form.service_data())
        if result is not None:
            messages.success(request, _("The reply is recorded."))
            return redirect("hotlines:opinion_detail", pk=pk)
    return _opinion_page(request, opinion, reply_form=form, status=400)


# ---- leaders' inspections ------------------------------------------------------------------------------------------


@login_required
@permission_required("hotlines.view_inspection", raise_exception=True)
def inspection_list(request: HttpRequest) -> HttpResponse:
    from django.db.models import Count

    queryset = Inspection.objects.annotate(
        problem_count=Count("problems", distinct=True),
        case_count=Count("problems__case", distinct=True),
        rectification_count=Count("rectifications", distinct=True),
    ).order_by("-date", "-id")
    return _listing(
        request,
        queryset,
        InspectionFilterSet,
        "hotlines/channels/inspection_list.html",
        {"can_add": request.user.has_perm("hotlines.add_inspection")},
    )


@login_required
@permission_required("hotlines.add_inspection", raise_exception=True)
@require_http_methods(["GET", "POST"])
def inspection_new(request: HttpRequest) -> HttpResponse:
    context = {
        "title": _("New inspection"),
        "back_url": "hotlines:inspection_list",
        "back_label": _("Leaders' inspections"),
        "detail_url": "hotlines:inspection_detail",
        "form_id": "inspection-entry",
    }
    return _entry(request, InspectionEntryForm, context, services.record_inspection)


def _inspection_page(request, inspection: Inspection, problem_form=None, rectification_form=None, status=200):
    user = request.user
    if problem_form is None and user.has_perm("hotlines.add_inspectionproblem"):
        problem_form = ProblemForm(prefix="problem")
    if rectification_form is None and user.has_perm("hotlines.add_rectificationaction"):
        rectification_form = RectificationForm(prefix="rectification")
    context = {
        "inspection": inspection,
        "problems": inspection.problems.select_related("case"),
        "rectifications": inspection.rectifications.prefetch_related("departments"),
        "problem_form": problem_form,
        "rectification_form": rectification_form,
    }
    context["history"] = services.history(inspection)
    return render(request, "hotlines/channels/inspection_detail.html", context, status=status)


@login_required
@permission_required("hotlines.view_inspection", raise_exception=True)
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _inspection_page(request, get_object_or_404(Inspection, pk=pk))


@login_required
@permission_required("hotlines.add_inspectionproblem", raise_exception=True)
@require_POST
def inspection_add_problem(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(Inspection, pk=pk)
    form = ProblemForm(request.POST, prefix="problem")
    if form.is_valid():
        result, _status = _call(form, services.add_problem, request.user, pk, **form.service_data())
        if result is not None:
            if result[1]:
                messages.success(request, _("The problem is recorded; its case is raised."))
            else:
                messages.info(request, _("This was already recorded; nothing new was written."))
            return redirect("hotlines:inspection_detail", pk=pk)
    return _inspection_page(request, inspection, problem_form=form, status=400)


@login_required
@permission_required("hotlines.add_rectificationaction", raise_exception=True)
@require_POST
def inspection_add_rectification(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(Inspection, pk=pk)
    form = RectificationForm(request.POST, prefix="rectification")
    if form.is_valid():
        result, _status = _call(form, services.record_rectification, request.user, pk, **form.service_data())
        if result is not None:
            messages.success(request, _("The joint rectification is recorded."))
            return redirect("hotlines:inspection_detail", pk=pk)
    return _inspection_page(request, inspection, rectification_form=form, status=400)


# ---- chat groups ---------------------------------------------------------------------------------------------------


@login_required
@permission_required("hotlines.view_chatgroupreport", raise_exception=True)
def chat_list(request: HttpRequest) -> HttpResponse:
    queryset = ChatGroupReport.objects.select_related("case").order_by("-message_at", "-id")
    return _listing(
        request,
        queryset,
        ChatGroupReportFilterSet,
        "hotlines/channels/chat_list.html",
        {"can_add": request.user.has_perm("hotlines.add_chatgroupreport")},
    )


@login_required
@permission_required("hotlines.add_chatgroupreport", raise_exception=True)
@require_http_methods(["GET", "POST"])
def chat_new(request: HttpRequest) -> HttpResponse:
    context = {
        "title": _("New chat-group report"),
        "back_url": "hotlines:chat_list",
        "back_label": _("Chat-group reports"),
        "detail_url": "hotlines:chat_detail",
        "form_id": "chat-entry",
        "multipart": True,
    }
    return _entry(request, ChatReportEntryForm, context, services.record_chat_report)


def _chat_page(request, report: ChatGroupReport, screenshot_form=None, status=200) -> HttpResponse:
    if screenshot_form is None and request.user.has_perm("hotlines.change_chatgroupreport"):
        screenshot_form = _ScreenshotForm()
    context = {"report": report, "screenshot_form": screenshot_form}
    context["history"] = services.history(report)
    return render(request, "hotlines/channels/chat_detail.html", context, status=status)


@login_required
@permission_required("hotlines.view_chatgroupreport", raise_exception=True)
def chat_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _chat_page(request, get_object_or_404(ChatGroupReport.objects.select_related("case"), pk=pk))


@login_required
@permission_required("hotlines.change_chatgroupreport", raise_exception=True)
@require_POST
def chat_screenshot(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(ChatGroupReport.objects.select_related("case"), pk=pk)
    form = _ScreenshotForm(request.POST, request.FILES)
    if form.is_valid():
        result, _status = _call(form, services.attach_screenshot, request.user, pk, form.cleaned_data["screenshot"])
        if result is not None:
            messages.success(request, _("The screenshot is saved."))
            return redirect("hotlines:chat_detail", pk=pk)
    return _chat_page(request, report, screenshot_form=form, status=400)


# ---- video ---------------------------------------------------------------------------------------------------------


def _camera_point(camera: Camera) -> dict:
    return {
        "id": camera.pk,
        "code": camera.code,
        "name": camera.name,
        "lng": camera.location.x,
        "lat": camera.location.y,
        "active": camera.is_active,
        "url": reverse("hotlines:camera_detail", args=[camera.pk]),
    }


@login_required
@permission_required("hotlines.view_camera", raise_exception=True)
def camera_list(request: HttpRequest) -> HttpResponse:
    from django.db.models import Count

    queryset = Camera.objects.annotate(case_count=Count("video_cases")).order_by("code")
    filterset = CameraFilterSet(request.GET or None, queryset=queryset)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filterset": filterset,
        "page": page,
        "map_data": {"cameras": [_camera_point(c) for c in page]},
    }
    return render(request, "hotlines/channels/camera_list.html", context)


def _camera_page(request, camera: Camera, case_form=None, status=200) -> HttpResponse:
    if case_form is None and request.user.has_perm("hotlines.add_videocase"):
        case_form = CameraCaseForm()
    videos = []
    if request.user.has_perm("hotlines.view_videocase"):
        videos = VideoCase.objects.filter(camera=camera).select_related("case").order_by("-captured_at")[:100]
    context = {
        "camera": camera,
        "videos": videos,
        "case_form": case_form,
        "map_data": {"cameras": [_camera_point(camera)]},
    }
    context["history"] = services.history(camera)
    return render(request, "hotlines/channels/camera_detail.html", context, status=status)


@login_required
@permission_required("hotlines.view_camera", raise_exception=True)
def camera_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _camera_page(request, get_object_or_404(Camera, pk=pk))


@login_required
@permission_required("hotlines.add_videocase", raise_exception=True)
@require_POST
def camera_case(request: HttpRequest, pk: int) -> HttpResponse:
    camera = get_object_or_404(Camera, pk=pk)
    form = CameraCaseForm(request.POST, request.FILES)
    if form.is_valid():
        result, _status = _call(form, services.camera_case, request.user, pk, **form.service_data())
        if result is not None:
            if result[1]:
                messages.success(request, _("The case is raised from this camera."))
            else:
                messages.info(request, _("This was already recorded; nothing new was written."))
            return redirect("hotlines:camera_detail", pk=pk)
    return _camera_page(request, camera, case_form=form, status=400)
