"""Open311 GeoReport v2 at /open311/v2/ (http://wiki.open311.org/GeoReport_v2): discovery, services, service
definitions, requests (GET with filters and paging, POST with an ``api_key``), one request, tokens. Every endpoint
answers ``.json`` and ``.xml``; errors are ``[{code, description}]`` with 400, 403 or 404."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from cases.choices import TERMINAL_STATUSES
from cases.models import Case, CasePhoto
from core.files import send_file
from exchange.open311 import representations as rep
from exchange.open311.formats import Open311Error, error, respond
from exchange.open311.models import ApiClient
from exchange.public import disclosure
from exchange.public.models import Channel, PublicReport
from exchange.public.services import RateLimited, check_rate, submit_report
from grids.models import MinorClass

MAX_PAGE_SIZE = 1000
MAX_RANGE = timedelta(days=90)
TERMINAL = sorted(str(s) for s in TERMINAL_STATUSES)


def _answers_errors(view):
    def wrapped(request, *args, fmt: str, **kwargs):
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as exc:
            return error(fmt, exc.status, exc.description)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_safe
@_answers_errors
def discovery(request, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0] + "/"
    changeset = rep.w3c(timezone.now().replace(hour=0, minute=0, second=0, microsecond=0))
    return respond(
        fmt,
        "discovery",
        {
            "changeset": changeset,
            "contact": "城市管理指挥中心 (city-management command centre)",
            "key_service": "API keys are issued by the centre's administrator (admin: Open311 clients).",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": changeset,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@require_safe
@_answers_errors
def service_list(request, fmt: str) -> HttpResponse:
    return respond(fmt, "services", rep.services())


@require_safe
@_answers_errors
def service_definition(request, code: str, fmt: str) -> HttpResponse:
    klass = rep.event_classes().filter(code=code).first()
    if klass is None:
        raise Open311Error(404, f"No service with service_code {code!r}.")
    return respond(fmt, "service_definition", rep.definition(klass))


@csrf_exempt  # an API for other systems: they authenticate with their api_key, not a session
@require_http_methods(["GET", "HEAD", "POST"])
@_answers_errors
def requests_endpoint(request, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    return _get_requests(request, fmt)


def _published():
    return Case.objects.exclude(status__in=[str(s) for s in disclosure.NOT_YET_PUBLIC])


def _when(name: str, value: str) -> datetime:
    parsed = None
    try:
        parsed = parse_datetime(value.strip().replace(" ", "+"))  # a "+08:00" sent unencoded arrives as " 08:00"
    except ValueError:
        pass
    if parsed is None:
        raise Open311Error(400, f"{name}: not a W3C datetime such as 2026-01-01T00:00:00+08:00.")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    if not 2000 <= parsed.year <= 2100:
        raise Open311Error(400, f"{name}: out of range.")
    return parsed


def _number(request, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Open311Error(400, f"{name}: must be a whole number.") from None
    if not low <= value <= high:
        raise Open311Error(400, f"{name}: must be between {low} and {high}.")
    return value


def _get_requests(request, fmt: str) -> HttpResponse:
    query = request.GET
    cases = _published()
    ids = [x.strip() for x in query.get("service_request_id", "").split(",") if x.strip()]
    if ids:  # overrides every other parameter (the spec)
        if len(ids) > MAX_PAGE_SIZE:
            raise Open311Error(400, f"service_request_id: at most {MAX_PAGE_SIZE} ids.")
        cases = cases.filter(key__case_no__in=ids)
    else:
        codes = [x.strip() for x in query.get("service_code", "").split(",") if x.strip()]
        if codes:
            cases = cases.filter(minor_class__code__in=codes, minor_class__standard__is_default=True)
        end = _when("end_date", query["end_date"]) if query.get("end_date") else None
        start = _when("start_date", query["start_date"]) if query.get("start_date") else None
        if start is None and end is None:
            end = timezone.now()
        if start is None:
            start = end - MAX_RANGE
        if end is None:
            end = min(start + MAX_RANGE, timezone.now())
        if end < start:
            raise Open311Error(400, "end_date: before start_date.")
        if end - start > MAX_RANGE:
            raise Open311Error(400, "start_date, end_date: the range may not span more than 90 days.")
        cases = cases.filter(received_at__gte=start, received_at__lte=end)
        statuses = {x.strip() for x in query.get("status", "").split(",") if x.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status: open, closed or both (comma-separated).")
        if statuses == {"open"}:
            cases = cases.exclude(status__in=TERMINAL)
        elif statuses == {"closed"}:
            cases = cases.filter(status__in=TERMINAL)
    page = _number(request, "page", 1, 1, 100_000)
    size = _number(request, "page_size", MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    offset = (page - 1) * size
    rows = rep.page_rows(cases.order_by("-received_at", "-pk").values("pk")[offset : offset + size])
    extensions = query.get("extensions", "").lower() == "true"
    return respond(fmt, "service_requests", rep.requests(request, rows, extensions=extensions))


@require_safe
@_answers_errors
def request_detail(request, request_id: str, fmt: str) -> HttpResponse:
    rows = rep.page_rows(_published().filter(key__case_no=request_id).values("pk"))
    if not rows:
        raise Open311Error(404, f"No service request {request_id!r}.")
    extensions = request.GET.get("extensions", "").lower() == "true"
    return respond(fmt, "service_requests", rep.requests(request, rows, extensions=extensions))


@require_safe
@_answers_errors
def token(request, token: str, fmt: str) -> HttpResponse:
    report = PublicReport.objects.filter(token=token).select_related("case").first()
    if report is None:
        raise Open311Error(404, "No such token.")
    accepted = report.case.status not in disclosure.NOT_YET_PUBLIC
    return respond(
        fmt,
        "service_requests",
        [{"token": token, "service_request_id": report.case.case_no if accepted else None}],
    )


def _client_address(request) -> str:
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or "unknown"


def _post_request(request, fmt: str) -> HttpResponse:
    data = request.POST
    client = ApiClient.for_key(data.get("api_key", ""))
    if client is None:
        raise Open311Error(403, "api_key: missing or not valid.")
    code = data.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code: required.")
    if not MinorClass.objects.filter(standard__is_default=True, kind="event", is_active=True, code=code).exists():
        raise Open311Error(404, f"service_code: no service {code!r}.")
    if not (data.get("lat") and data.get("long")):
        raise Open311Error(400, "lat, long: required (this city locates requests by their point).")
    attributes = {
        key[10:-1]: value for key, value in data.items() if key.startswith("attribute[") and key.endswith("]")
    }
    try:
        check_rate(_client_address(request), data.get("phone", ""))
        report, created = submit_report(
            channel=Channel.OPEN311,
            api_client=client,
            class_code=code,
            lat=data.get("lat"),
            lng=data.get("long"),
            description=data.get("description", ""),
            address=data.get("address_string", ""),
            photos=request.FILES.getlist("media"),
            phone=data.get("phone", ""),
            condition_id=attributes.get("condition") or None,
            contact={
                k: data[k][:200] for k in ("email", "first_name", "last_name", "device_id", "account_id") if data.get(k)
            },
            attributes={k[:50]: v[:200] for k, v in attributes.items()},
            media_url=data.get("media_url", ""),
        )
    except RateLimited:
        raise Open311Error(429, "Too many requests from this address or phone; try again later.") from None
    except ValidationError as exc:
        fields = {
            "lng": "long",
            "location": "lat, long",
            "class_code": "service_code",
            "photos": "media",
            "condition": "attribute[condition]",
        }
        parts = [f"{fields.get(name, name)}: {' '.join(messages)}" for name, messages in exc.message_dict.items()]
        raise Open311Error(400, "; ".join(parts)) from None
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    answer = [
        {
            "token": report.token,
            "service_notice": "核实后受理：a collector verifies the report on site first.",
            "account_id": None,
        }
    ]
    return respond(fmt, "service_requests", answer, status=201 if created else 200)


@require_safe
def media(request, signed: str) -> HttpResponse:
    """A citizen's report photo, by the signed link an Open311 request carries (only that photo, nothing else)."""
    try:
        photo_id = signing.loads(signed, salt=rep.MEDIA_SALT)
    except signing.BadSignature:
        raise Http404 from None
    photo = CasePhoto.objects.filter(pk=photo_id, case__public_report__isnull=False).first()
    if photo is None:
        raise Http404
    return send_file(photo.image.name)
