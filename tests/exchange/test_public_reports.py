"""The citizens' report page (全民参与): report → tracking number and link; the link's page shows public progress
only; photos only through the link; rate limits per address and per phone (also with Redis down); a double
submission makes one report; the return visit after closing, 不满意 reopening the case through the workflow."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.choices import CaseSource, CaseStatus
from cases.models import Case, CaseEvent, CasePhoto, ReturnVisit
from exchange.public.models import PublicReport
from tests.exchange.conftest import JPEG, TO_ACCEPTED, TO_CLOSED, public_report, walk
from tests.fixtures.small_city import INSIDE, OUTSIDE

pytestmark = pytest.mark.django_db


def form(**overrides) -> dict:
    return {
        "problem": "garbage",
        "lat": INSIDE[1],
        "lng": INSIDE[0],
        "description": "小区门口垃圾堆了三天",
        "address": "东关路12号",
        "phone": "13800001234",
        "client_token": str(uuid.uuid4()),
        **overrides,
    }


def test_the_page_offers_plain_choices_without_login(client, city):
    response = client.get("/report/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="problem"' in page and 'name="client_token"' in page and "csrfmiddlewaretoken" in page
    assert 'value="garbage"' in page and "<script>" not in page  # no inline script (CSP)
    assert "Content-Security-Policy" in response.headers


def test_a_report_with_a_photo_answers_with_a_tracking_number_and_link(client, city):
    photo = SimpleUploadedFile("p.jpg", JPEG, content_type="image/jpeg")
    response = client.post("/report/", form(photo=photo))
    assert response.status_code == 302
    public = PublicReport.objects.get()
    assert response["Location"] == f"/report/t/{public.token}/?new=1"
    case = public.case
    assert case.source == CaseSource.PUBLIC and case.status == CaseStatus.REPORTED and case.minor_class.code == "06010"
    assert public.phone == "13800001234" and public.channel == "web" and public.choice == "garbage"
    assert CasePhoto.objects.filter(case=case, kind="before").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert case.case_no in page and f"/report/t/{public.token}/" in page


def test_bad_input_is_answered_on_the_form_and_nothing_is_written(client, city):
    for bad, text in (
        (form(lat="", lng=""), "Tap the map"),
        (form(lat=OUTSIDE[1], lng=OUTSIDE[0]), "outside the managed area"),
        (form(phone="call me"), "phone"),
        (form(problem="weather"), "problem"),
        (form(photo=SimpleUploadedFile("p.jpg", b"<html>", content_type="image/jpeg")), "photo"),
    ):
        response = client.post("/report/", bad)
        assert response.status_code == 400, text
    assert not Case.objects.exists() and not PublicReport.objects.exists()


def test_a_double_submission_makes_one_report(client, city):
    body = form()
    first = client.post("/report/", body)
    second = client.post("/report/", body)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert Case.objects.count() == 1 and PublicReport.objects.count() == 1


def _fresh_address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def _fresh_phone() -> str:
    return f"139{uuid.uuid4().int % 10**8:08d}"


def test_rate_limit_per_address(client, city, settings):
    settings.PUBLIC_REPORT_RATE_PER_ADDRESS = "3/hour"
    address = _fresh_address()  # counters are per hour in Redis: a fresh address and phone per run
    answers = [client.post("/report/", form(phone=""), REMOTE_ADDR=address).status_code for _ in range(4)]
    assert answers == [302, 302, 302, 429]
    assert Case.objects.count() == 3


def test_rate_limit_per_phone_across_addresses(client, city, settings):
    settings.PUBLIC_REPORT_RATE_PER_PHONE = "2/hour"
    phone = _fresh_phone()
    spaced = f"{phone[:3]} {phone[3:7]} {phone[7:]}"  # the same phone written differently counts the same
    answers = [
        client.post("/report/", form(phone=p), REMOTE_ADDR=_fresh_address()).status_code for p in (phone, spaced, phone)
    ]
    assert answers == [302, 302, 429]
    other = client.post("/report/", form(phone=_fresh_phone()), REMOTE_ADDR=_fresh_address())
    assert other.status_code == 302


def test_reports_go_through_when_redis_is_down(client, city, settings):
    settings.PUBLIC_REPORT_RATE_PER_ADDRESS = "1/hour"
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.TolerantRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    from django.core.cache import cache  # the override swapped the cache (Django's setting_changed handler)

    answers = [client.post("/report/", form()).status_code for _ in range(2)]
    assert answers == [302, 302] and Case.objects.count() == 2
    assert cache.get("anything") is None


def _track(client, public):
    response = client.get(reverse("public:track", args=[public.token]))
    assert response.status_code == 200
    return response.content.decode()


def test_tracking_page_shows_progress_reply_and_photos_but_nothing_internal(client, city, department):
    cast = city["cast"]
    photo = SimpleUploadedFile("p.jpg", JPEG, content_type="image/jpeg")
    public = public_report(photos=[photo], phone="13800001234")
    other = public_report(phone="13912345678", description="别人的报告")
    condition = city["class"]["condition"]
    case = walk(
        public.case, cast, *TO_ACCEPTED, "register", "dispatch", "sign", department=department, condition=condition.pk
    )
    from cases.services.transitions import perform

    perform(case.pk, "urge", cast["dispatcher"], opinion="内部督办：三天未处理")
    page = _track(client, public)
    assert case.case_no in page and "环卫所" in page
    for secret in ("13800001234", "13912345678", "别人的报告", "内部督办", "dispatcher", "shift_leader", "handler"):
        assert secret not in page, secret
    # photos: only through this link, not /files/ (anonymous) and not another report's link
    [before] = CasePhoto.objects.filter(case=case)
    url = reverse("public:photo", args=[public.token, before.pk])
    assert url in page
    assert b"".join(client.get(url).streaming_content) == JPEG
    assert client.get(reverse("public:photo", args=[other.token, before.pk])).status_code == 404
    assert client.get(before.image.url, HTTP_ACCEPT="application/json").status_code == 401
    verify_photo = CasePhoto.objects.create(
        case=case, kind="verify", image=before.image.name, content_type="image/jpeg", size=1
    )
    assert client.get(reverse("public:photo", args=[public.token, verify_photo.pk])).status_code == 404
    assert client.get("/report/t/not-a-token/").status_code == 404


def test_satisfaction_after_closing_and_unsatisfied_reopens(client, city, department):
    cast = city["cast"]
    condition = city["class"]["condition"]
    public = public_report()
    page = _track(client, public)
    assert 'name="satisfaction"' not in page  # not asked before closing
    assert client.post(reverse("public:track", args=[public.token]), {"satisfaction": "satisfied"}).status_code == 400
    case = walk(public.case, cast, *TO_CLOSED, department=department, condition=condition.pk)
    after = CasePhoto.objects.create(
        case=case, kind="after", image="cases/after.jpg", content_type="image/jpeg", size=1
    )
    page = _track(client, public)
    assert 'name="satisfaction"' in page and "已清运，路面已冲洗" in page
    assert reverse("public:photo", args=[public.token, after.pk]) in page
    response = client.post(
        reverse("public:track", args=[public.token]), {"satisfaction": "unsatisfied", "opinion": "还有垃圾"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPOSED and case.closed_at is None  # back to the centre to decide
    event = CaseEvent.objects.filter(case=case).latest("at", "id")
    assert (event.action, event.from_status, event.to_status, event.actor) == ("revisit", "closed", "disposed", None)
    assert event.data == {"satisfaction": "unsatisfied", "reopened": True}
    [visit] = ReturnVisit.objects.filter(case=case)
    assert visit.reopened and visit.channel == "public_link" and visit.opinion == "还有垃圾"
    page = _track(client, public)
    assert 'name="satisfaction"' not in page
    # the centre checks again and closes; the reporter is asked again and is satisfied this time
    case = walk(case, cast, "send_check", "check", "close")
    assert 'name="satisfaction"' in _track(client, public)
    client.post(reverse("public:track", args=[public.token]), {"satisfaction": "basically_satisfied"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert list(ReturnVisit.objects.filter(case=case).values_list("satisfaction", flat=True)) == [
        "unsatisfied",
        "basically_satisfied",
    ]
    # a second answer to the same closing is not taken
    client.post(reverse("public:track", args=[public.token]), {"satisfaction": "unsatisfied"})
    assert ReturnVisit.objects.filter(case=case).count() == 2 and Case.objects.get(pk=case.pk).status == "closed"


def test_the_desk_records_a_return_visit_for_an_online_opinion_case(city, report, department):
    from cases.services.transitions import available_actions, perform

    cast = city["cast"]
    condition = city["class"]["condition"]
    case = report(source=CaseSource.ONLINE, reporter=cast["operator"])
    case = walk(case, cast, *TO_CLOSED, department=department, condition=condition.pk)
    assert "revisit" in [t.action for t in available_actions(case, cast["operator"])]
    case = perform(case.pk, "revisit", cast["operator"], satisfaction="satisfied")
    assert case.status == CaseStatus.CLOSED and ReturnVisit.objects.get(case=case).channel == "desk"
    collector_case = walk(report(), cast, "accept", *TO_CLOSED[3:], department=department, condition=condition.pk)
    assert "revisit" not in [t.action for t in available_actions(collector_case, cast["operator"])]
