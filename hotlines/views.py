"""Console pages of the hotline layer (热线工单): the order list with filters (a department sees its own), the 12319
manual entry form, the order page with its timeline and action forms, and the Excel upload.

Actions are POSTed to ``act``, which hands them to ``hotlines.services`` and never writes a status itself: an order
the user may not see → 404, an action their role or department may not take → 403, a status that does not allow
it → 409, bad input → 400 with the form's errors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases.views.filters import decorate as decorate_filters
from cases.views.filters import filter_errors
from core import exports as export_jobs
from core.audit import import_outcome, record_export, record_import
from core.imports import runs_in_background, start_job
from core.replica import reads_replica
from core.spreadsheets import XLSX
from hotlines.exceptions import OrderActionNotAllowed, OrderForbidden, OrderNotFound
from hotlines.exports import PERMISSION, export_filename, orders_workbook
from hotlines.filtersets import WorkOrderFilterSet
from hotlines.forms import ImportForm, OrderEntryForm, action_form
from hotlines.imports import import_orders
from hotlines.masking import mask_phone, may_see_phone
from hotlines.models import WorkOrder
from hotlines.services import available_actions, perform, receive, send_back_deadline
from hotlines.workflow import TRANSITIONS, waiting_for

PAGE_SIZE = 50


@login_required
@permission_required("hotlines.view_workorder", raise_exception=True)
def console(request: HttpRequest) -> HttpResponse:
    base = WorkOrder.objects.visible_to(request.user).for_list()
    todo = request.GET.get("queue") == "todo"
    if todo:
        base = base.filter(waiting_for(request.user))
    filterset = WorkOrderFilterSet(request.GET or None, queryset=base)
    decorate_filters(filterset)
    invalid = filterset.is_bound and not filterset.is_valid()
    # An invalid filter is shown as such (naming the field), never as an empty or unfiltered list.
    queryset = base.none() if invalid else (filterset.qs if filterset.is_bound else base)
    page = Paginator(queryset.order_by("-received_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    show_phone = may_see_phone(request.user)
    rows = [{"order": o, "phone": o.caller_phone if show_phone else mask_phone(o.caller_phone)} for o in page]
    context = {
        "filterset": filterset,
        "page": page,
        "rows": rows,
        "todo": todo,
        "department": request.user.department if not request.user.has_perm("hotlines.view_all_workorders") else None,
        "can_receive": request.user.has_perm("hotlines.receive_workorder"),
        "filter_errors": filter_errors(filterset) if invalid else [],
    }
    return render(request, "hotlines/console.html", context, status=400 if invalid else 200)


@login_required
@permission_required("hotlines.view_workorder", raise_exception=True)
@reads_replica
def export(request: HttpRequest) -> HttpResponse:
    """The filtered list as an Excel workbook (hotlines.exports); phones masked unless the role may see them."""
    base = WorkOrder.objects.visible_to(request.user).for_list()
    filterset = WorkOrderFilterSet(request.GET or None, queryset=base)
    filtered = filterset.is_bound and filterset.is_valid()
    queryset = filterset.qs if filtered else base
    if export_jobs.runs_in_background(queryset):  # a job (core.exports): its page shows progress, then the file
        options = {"filters": export_jobs.filters_of(request.GET) if filtered else {}}
        job, _created = export_jobs.start_job("hotline_orders", request.user, permission=PERMISSION, options=options)
        return redirect("export_job", pk=job.pk)
    show_phone = may_see_phone(request.user)
    body, count = orders_workbook(queryset, show_phone=show_phone)
    record_export(request, "hotline_orders", rows=count, phones_shown=show_phone)
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{export_filename()}"'
    return response


@login_required
@permission_required("hotlines.receive_workorder", raise_exception=True)
@require_http_methods(["GET", "POST"])
def new_order(request: HttpRequest) -> HttpResponse:
    """The manual entry form (12319 operators taking a call)."""
    form = OrderEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            order, created = receive(actor=request.user, **form.service_data())
        except OrderForbidden as exc:
            raise PermissionDenied(str(exc)) from None
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            if created:
                messages.success(request, _("Order %(no)s received.") % {"no": order})
            else:
                messages.info(request, _("Order %(no)s was already received.") % {"no": order})
            return redirect("hotlines:detail", pk=order.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "hotlines/new.html", {"form": form}, status=status)


def _visible_order(user, pk: int) -> WorkOrder:
    try:
        return WorkOrder.objects.visible_to(user).select_related("hotline", "department", "case").get(pk=pk)
    except WorkOrder.DoesNotExist:
        raise Http404(_("No such work order.")) from None


def _render_detail(request, order: WorkOrder, bound=None, error: str = "", status: int = 200) -> HttpResponse:
    forms = [
        bound if bound is not None and bound.action == t.action else action_form(t.action, order)
        for t in available_actions(order, request.user)
    ]
    timeline = list(order.events.select_related("actor"))  # rendered by core/_timeline.html
    context = {
        "order": order,
        "phone": order.caller_phone if may_see_phone(request.user) else mask_phone(order.caller_phone),
        "timeline": timeline,
        "forms": forms,
        "error": error,
        "send_back_until": send_back_deadline(order) if order.status in {"transferred", "handling"} else None,
    }
    return render(request, "hotlines/detail.html", context, status=status)


@login_required
@permission_required("hotlines.view_workorder", raise_exception=True)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _visible_order(request.user, pk))


@login_required
@permission_required("hotlines.view_workorder", raise_exception=True)
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in TRANSITIONS:
        raise Http404(_("No such action."))
    order = _visible_order(request.user, pk)
    form = action_form(action, order, request.POST)
    if not form.is_valid():
        return _render_detail(request, order, bound=form, status=400)
    try:
        perform(order.pk, action, request.user, **form.params())
    except OrderNotFound:
        raise Http404(_("No such work order.")) from None
    except OrderForbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except OrderActionNotAllowed:
        order = _visible_order(request.user, pk)
        message = _("This action is not possible now: the order is “%(status)s”.") % {
            "status": order.get_status_display()
        }
        return _render_detail(request, order, error=message, status=409)
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return _render_detail(request, order, bound=form, status=400)
    messages.success(request, _("%(action)s: done for order %(no)s.") % {"action": form.label, "no": order})
    if not WorkOrder.objects.visible_to(request.user).filter(pk=pk).exists():
        return redirect("hotlines:console")
    return redirect("hotlines:detail", pk=pk)


@login_required
@permission_required("hotlines.receive_workorder", raise_exception=True)
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid() and runs_in_background(form.cleaned_data["file"].upload_info):
        options = {key: form.cleaned_data[key] for key in ("skip_invalid", "dry_run")}
        job = start_job(
            "hotline_orders",
            form.cleaned_data["file"],
            request.user,
            rows=form.cleaned_data["file"].upload_info.rows,
            options=options,
        )
        return redirect("import_job", pk=job.pk)
    if request.method == "POST" and form.is_valid():
        report = import_orders(
            form.cleaned_data["file"],
            request.user,
            skip_invalid=form.cleaned_data["skip_invalid"],
            dry_run=form.cleaned_data["dry_run"],
        )
        record_import(
            "hotline_orders",
            request=request,
            file_name=form.cleaned_data["file"].name,
            rows=report.rows,
            outcome=import_outcome(report.written, form.cleaned_data["dry_run"]),
            errors=len(report.errors),
        )
    status = 400 if report is not None and report.errors and not report.written else 200
    return render(request, "hotlines/import.html", {"form": form, "report": report}, status=status)
