"""The public report page (全民参与, /report/): no login, a phone first. Report → tracking link; the link shows the
report's public progress (``disclosure``), its photos, and after closing asks the reporter's satisfaction."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from cases.choices import CaseStatus
from cases.exceptions import ActionNotAllowed
from cases.models import ReturnVisit
from core.files import send_file
from exchange.public import disclosure
from exchange.public.choices import PROBLEM_CLASSES
from exchange.public.forms import PublicReportForm, SatisfactionForm
from exchange.public.models import Channel, PublicReport
from exchange.public.services import RateLimited, answer_satisfaction, check_rate, submit_report

# The intake's field names → the form's (the point's errors are the form's own: its fields are hidden)
FIELD_NAMES = {"photos": "photo", "description": "description", "address": "address", "phone": "phone"}


def _address(request) -> str:
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or "unknown"


def _map_context() -> dict:
    lat, lng = settings.LEAFLET_CONFIG["DEFAULT_CENTER"]
    return {"map_lat": lat, "map_lng": lng, "map_tiles": getattr(settings, "MAP_TILES_URL", "")}


@require_http_methods(["GET", "HEAD", "POST"])
def report(request) -> HttpResponse:
    if request.method != "POST":
        return render(request, "exchange/public/report.html", {"form": PublicReportForm(), **_map_context()})
    form = PublicReportForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            check_rate(_address(request), data["phone"])
            public, _created = submit_report(
                channel=Channel.WEB,
                class_code=PROBLEM_CLASSES[data["problem"]],
                choice=data["problem"],
                lat=data["lat"],
                lng=data["lng"],
                description=data["description"],
                address=data["address"],
                photos=[data["photo"]] if data.get("photo") else [],
                phone=data["phone"],
                client_token=data["client_token"],
            )
        except RateLimited as exc:
            form.add_error(
                None,
                _("Too many reports from here just now. Please try again in %(minutes)d minutes.")
                % {"minutes": max(1, int(exc.retry_after // 60) + 1)},
            )
            status = 429
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                form.add_error(FIELD_NAMES.get(name), " ".join(messages))
        else:
            return redirect(reverse("public:track", args=[public.token]) + "?new=1")
    return render(request, "exchange/public/report.html", {"form": form, **_map_context()}, status=status)


def _visit_pending(case) -> bool:
    """A closed case whose latest closing has not been answered yet."""
    if case.status != CaseStatus.CLOSED:
        return False
    return (
        not ReturnVisit.objects.filter(case=case).filter(Q(at__gte=case.closed_at) if case.closed_at else Q()).exists()
    )


@require_http_methods(["GET", "HEAD", "POST"])
def track(request, token: str) -> HttpResponse:
    public = get_object_or_404(
        PublicReport.objects.select_related("case__minor_class", "case__department"), token=token
    )
    case = public.case
    form = SatisfactionForm()
    status = 200
    if request.method == "POST":
        form = SatisfactionForm(request.POST)
        if form.is_valid() and _visit_pending(case):
            try:
                answer_satisfaction(public, form.cleaned_data["satisfaction"], form.cleaned_data["opinion"])
            except (ActionNotAllowed, ValidationError):
                form.add_error(None, _("This report cannot be rated now."))
                status = 409
            else:
                return redirect(reverse("public:track", args=[token]) + "?rated=1")
        else:
            status = 400
    key, label = disclosure.public_stage(case.status)
    last_visit = ReturnVisit.objects.filter(case=case).order_by("-at", "-id").first()
    context = {
        "public": public,
        "case": case,
        "stage": key,
        "stage_label": label,
        "steps": disclosure.steps([case.pk]).get(case.pk, []),
        "reply": disclosure.replies([case.pk]).get(case.pk, ""),
        "photos": [
            {"url": reverse("public:photo", args=[token, p.pk]), "after": p.kind == "after"}
            for p in disclosure.public_photos(case.pk)
        ],
        "department": case.department.name if case.department_id and key not in ("received", "verifying") else "",
        "expected": case.disposal_deadline if case.status not in disclosure.NOT_YET_PUBLIC else None,
        "ask_satisfaction": _visit_pending(case),
        "last_visit": last_visit,
        "form": form,
        "new": request.GET.get("new") == "1",
        "rated": request.GET.get("rated") == "1",
        "track_url": request.build_absolute_uri(reverse("public:track", args=[token])),
    }
    response = render(request, "exchange/public/track.html", context, status=status)
    response["Referrer-Policy"] = "same-origin"  # the link is the reporter's key: never sent to another site
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def photo(request, token: str, pk: int) -> HttpResponse:
    public = PublicReport.objects.filter(token=token).only("case_id").first()
    if public is None:
        raise Http404
    found = disclosure.public_photos(public.case_id).filter(pk=pk).first()
    if found is None:
        raise Http404
    return send_file(found.image.name)
