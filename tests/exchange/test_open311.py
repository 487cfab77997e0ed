"""Open311 GeoReport v2 conformance: discovery, services, definitions, POST (form and multipart), GET with every
filter and paging, single requests, tokens, errors with their codes, W3C datetimes in +08:00, extensions."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.choices import CaseSource, CaseStatus
from cases.models import Case, CasePhoto
from exchange.public.models import PublicReport
from tests.exchange.conftest import JPEG, TO_ACCEPTED, TO_CLOSED, public_report, walk
from tests.fixtures.small_city import INSIDE, OUTSIDE

pytestmark = pytest.mark.django_db
BASE = "/open311/v2/"
W3C_CST = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


def get_json(client, path, expect=200, **params):
    response = client.get(BASE + path, params)
    assert response.status_code == expect, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def get_xml(client, path, expect=200, **params):
    response = client.get(BASE + path, params)
    assert response.status_code == expect, response.content[:300]
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def post(client, data, fmt="json", **extra):
    return client.post(f"{BASE}requests.{fmt}", data, **extra)


def test_discovery_in_both_formats(client):
    doc = get_json(client, "discovery.json")
    [endpoint] = doc["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/") and set(endpoint["formats"]) == {"text/xml", "application/json"}
    assert W3C_CST.match(doc["changeset"])
    root = get_xml(client, "discovery.xml")
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]


def test_services_are_the_event_classes_with_their_conditions(client, city):
    services = get_json(client, "services.json")
    assert isinstance(services, list) and len(services) >= 200  # the default standard's event classes
    garbage = next(s for s in services if s["service_code"] == "06010")
    assert garbage["service_name"] == "暴露垃圾" and garbage["metadata"] is True and garbage["type"] == "batch"
    assert all(s["service_code"] != "96001" for s in services)  # only the default standard
    root = get_xml(client, "services.xml")
    assert root.tag == "services" and root[0].tag == "service"
    codes = {s.findtext("service_code"): s.findtext("metadata") for s in root}
    assert codes["06010"] == "true"


def test_service_definition_lists_the_filing_conditions(client, city):
    condition = city["class"]["condition"]
    definition = get_json(client, "services/06010.json")
    assert definition["service_code"] == "06010"
    [attribute] = definition["attributes"]
    assert attribute["code"] == "condition" and attribute["datatype"] == "singlevaluelist"
    assert attribute["required"] is False and attribute["variable"] is True
    keys = {v["key"]: v["name"] for v in attribute["values"]}
    assert keys[str(condition.pk)].startswith("成堆成片生活垃圾（测试）") and "4" in keys[str(condition.pk)]
    root = get_xml(client, "services/06010.xml")
    assert root.tag == "service_definition"
    assert str(condition.pk) in [v.findtext("key") for v in root.iter("value")]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_a_404_error_body(client, city, fmt):
    response = client.get(f"{BASE}services/99999.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        [err] = response.json()
        assert err["code"] == 404 and "99999" in err["description"]
    else:
        root = ET.fromstring(response.content)
        assert root.tag == "errors" and root.find("error/code").text == "404"


def test_post_needs_a_valid_api_key(client, city):
    body = {"service_code": "06010", "lat": INSIDE[1], "long": INSIDE[0]}
    for key in (None, "o311_wrong"):
        response = post(client, {**body, **({"api_key": key} if key else {})})
        assert response.status_code == 403 and response.json()[0]["code"] == 403
    assert not Case.objects.exists()


def test_post_form_encoded_enters_as_a_public_report_to_verify(client, city, api_key):
    condition = city["class"]["condition"]
    response = post(
        client,
        {
            "api_key": api_key,
            "service_code": "06010",
            "lat": INSIDE[1],
            "long": INSIDE[0],
            "address_string": "东关路12号",
            "description": "垃圾堆了三天",
            "attribute[condition]": condition.pk,
            "email": "citizen@example.org",
            "first_name": "张",
            "phone": "13800001234",
        },
    )
    assert response.status_code == 201, response.content
    [answer] = response.json()
    assert answer["token"] and "service_request_id" not in answer
    public = PublicReport.objects.get(token=answer["token"])
    case = public.case
    assert case.source == CaseSource.PUBLIC and case.status == CaseStatus.REPORTED and case.reporter is None
    assert case.condition == condition and case.address == "东关路12号" and case.grid_code == "500120001001001"
    assert public.channel == "open311" and public.api_client.name == "城市随手拍 App"
    assert public.contact == {"email": "citizen@example.org", "first_name": "张"} and public.phone == "13800001234"
    assert public.api_client.last_used_at is not None


def test_post_multipart_with_media_stores_the_photo(client, city, api_key):
    photo = SimpleUploadedFile("p.jpg", JPEG, content_type="image/jpeg")
    response = client.post(
        BASE + "requests.xml",
        {"api_key": api_key, "service_code": "06010", "lat": INSIDE[1], "long": INSIDE[0], "media": photo},
    )
    assert response.status_code == 201
    root = ET.fromstring(response.content)
    token = root.find("request/token").text
    case = PublicReport.objects.get(token=token).case
    [stored] = CasePhoto.objects.filter(case=case)
    assert stored.kind == "before" and stored.size == len(JPEG)


@pytest.mark.parametrize(
    ("body", "status", "names"),
    [
        ({}, 400, "service_code"),
        ({"service_code": "99999", "lat": INSIDE[1], "long": INSIDE[0]}, 404, "service_code"),
        ({"service_code": "06010", "address_string": "东关路"}, 400, "lat, long"),
        ({"service_code": "06010", "lat": OUTSIDE[1], "long": OUTSIDE[0]}, 400, "lat, long"),
        ({"service_code": "06010", "lat": "north", "long": INSIDE[0]}, 400, "lat"),
        ({"service_code": "06010", "lat": INSIDE[1], "long": INSIDE[0], "description": "x" * 4001}, 400, "description"),
        ({"service_code": "06010", "lat": INSIDE[1], "long": INSIDE[0], "phone": "call me"}, 400, "phone"),
        (
            {"service_code": "06010", "lat": INSIDE[1], "long": INSIDE[0], "attribute[condition]": "x"},
            400,
            "attribute[condition]",
        ),
    ],
)
def test_bad_posts_are_400_or_404_naming_the_field(client, city, api_key, body, status, names):
    response = post(client, {"api_key": api_key, **body})
    assert response.status_code == status, response.content
    [err] = response.json()
    assert err["code"] == status and err["description"].startswith(names)
    assert not Case.objects.exists()


def test_bad_media_is_refused_before_anything_is_written(client, city, api_key):
    text = SimpleUploadedFile("p.jpg", b"not an image at all", content_type="image/jpeg")
    response = client.post(
        BASE + "requests.json",
        {"api_key": api_key, "service_code": "06010", "lat": INSIDE[1], "long": INSIDE[0], "media": text},
    )
    assert response.status_code == 400 and response.json()[0]["description"].startswith("media")
    assert not Case.objects.exists() and not PublicReport.objects.exists()


def test_token_answers_the_request_id_once_accepted(client, city):
    public = public_report()
    [answer] = get_json(client, f"tokens/{public.token}.json")
    assert answer == {"token": public.token, "service_request_id": None}
    get_json(client, f"requests/{public.case.case_no}.json", expect=404)  # not a service request yet
    walk(public.case, city["cast"], *TO_ACCEPTED)
    [answer] = get_json(client, f"tokens/{public.token}.json")
    assert answer["service_request_id"] == public.case.case_no
    root = get_xml(client, f"tokens/{public.token}.xml")
    assert root.find("request/service_request_id").text == public.case.case_no
    get_json(client, "tokens/nonesuch.json", expect=404)


def _accepted(report, cast, n=1, **overrides):
    return [walk(report(**overrides), cast, "accept") for _ in range(n)]


def test_get_requests_lists_accepted_cases_with_w3c_datetimes(client, city, report):
    cast = city["cast"]
    [case] = _accepted(report, cast)
    report()  # still awaiting acceptance: not a service request yet
    requests = get_json(client, "requests.json")
    assert [r["service_request_id"] for r in requests] == [case.case_no]
    [item] = requests
    assert item["status"] == "open" and item["service_code"] == "06010" and item["service_name"] == "暴露垃圾"
    assert W3C_CST.match(item["requested_datetime"]) and W3C_CST.match(item["updated_datetime"])
    assert item["lat"] == pytest.approx(INSIDE[1]) and item["long"] == pytest.approx(INSIDE[0])
    assert item["agency_responsible"] is None and item["expected_datetime"] is None
    root = get_xml(client, "requests.xml")
    assert root.tag == "service_requests" and root.find("request/service_request_id").text == case.case_no
    assert W3C_CST.match(root.find("request/requested_datetime").text)


def test_expected_datetime_and_agency_come_from_the_deadline_and_department(client, city, report, department):
    condition = city["class"]["condition"]
    case = walk(report(), city["cast"], "accept", "register", "dispatch", department=department, condition=condition.pk)
    [item] = get_json(client, f"requests/{case.case_no}.json")
    assert item["agency_responsible"] == "环卫所"
    assert item["expected_datetime"] == timezone.localtime(case.disposal_deadline).isoformat(timespec="seconds")
    assert W3C_CST.match(item["expected_datetime"])


def test_filters_status_service_code_and_ids(client, city, report, department):
    cast = city["cast"]
    condition = city["class"]["condition"]
    open_case, other = _accepted(report, cast, 2)
    closed = walk(report(), cast, "accept", *TO_CLOSED[3:], department=department, condition=condition.pk)
    assert closed.status == CaseStatus.CLOSED
    ids = lambda **p: sorted(r["service_request_id"] for r in get_json(client, "requests.json", **p))  # noqa: E731
    assert ids(status="closed") == [closed.case_no]
    assert ids(status="open") == sorted([open_case.case_no, other.case_no])
    assert ids(status="open,closed") == sorted([open_case.case_no, other.case_no, closed.case_no])
    assert ids(service_code="06010") == ids() and ids(service_code="06012") == []
    assert ids(service_request_id=f"{open_case.case_no},{closed.case_no}", status="open") == sorted(
        [open_case.case_no, closed.case_no]  # the ids override every other filter
    )
    [err] = get_json(client, "requests.json", expect=400, status="pending")
    assert err["code"] == 400 and err["description"].startswith("status")


def test_date_range_filters_and_the_90_day_limit(client, city, report):
    cast = city["cast"]
    old_at = timezone.now() - timedelta(days=120)
    old = walk(report(at=old_at), cast, "accept")
    new = walk(report(), cast, "accept")
    ids = lambda **p: [r["service_request_id"] for r in get_json(client, "requests.json", **p)]  # noqa: E731
    assert ids() == [new.case_no]  # default: the last 90 days
    start = timezone.localtime(old_at - timedelta(days=1)).isoformat(timespec="seconds")
    end = timezone.localtime(old_at + timedelta(days=1)).isoformat(timespec="seconds")
    assert ids(start_date=start, end_date=end) == [old.case_no]
    assert ids(start_date=(old_at - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")) == [old.case_no]
    assert ids(start_date=start) == [old.case_no]  # a start alone: 90 days from it
    far = timezone.localtime(old_at - timedelta(days=100)).isoformat(timespec="seconds")
    [err] = get_json(client, "requests.json", expect=400, start_date=far, end_date=end)
    assert "90 days" in err["description"]
    [err] = get_json(client, "requests.json", expect=400, start_date="yesterday")
    assert err["code"] == 400 and err["description"].startswith("start_date")


def test_paging(client, city, report):
    cases = _accepted(report, city["cast"], 5)
    newest_first = [c.case_no for c in reversed(cases)]
    pages = [
        [r["service_request_id"] for r in get_json(client, "requests.json", page=n, page_size=2)] for n in (1, 2, 3, 4)
    ]
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:5], []]
    for bad in ({"page_size": 1001}, {"page_size": 0}, {"page": "two"}):
        [err] = get_json(client, "requests.json", expect=400, **bad)
        assert err["code"] == 400


def test_extensions_add_detailed_status_and_public_notes(client, city, report, department):
    condition = city["class"]["condition"]
    case = walk(
        report(),
        city["cast"],
        "accept",
        "register",
        "dispatch",
        "sign",
        "dispose",
        department=department,
        condition=condition.pk,
    )
    [plain] = get_json(client, f"requests/{case.case_no}.json")
    assert "detailed_status" not in plain and plain["status_notes"] == "已清运，路面已冲洗"
    [item] = get_json(client, f"requests/{case.case_no}.json", extensions="true")
    assert item["detailed_status"] == "DISPOSED" and item["detailed_status_label"]
    actions = [n["type"] for n in item["notes"]]
    assert actions == ["report", "accept", "dispatch", "sign", "dispose"]  # registration is the centre's own
    assert all(W3C_CST.match(n["datetime"]) for n in item["notes"])
    text = json.dumps(item, ensure_ascii=False)
    assert "leader" not in text and "dispatcher" not in text  # no actors
    root = get_xml(client, f"requests/{case.case_no}.xml", extensions="true")
    assert root.find("request/detailed_status").text == "DISPOSED"
    assert [n.findtext("type") for n in root.find("request/notes")] == actions


def test_media_url_serves_only_the_citizens_photo(client, city):
    photo = SimpleUploadedFile("p.jpg", JPEG, content_type="image/jpeg")
    public = public_report(photos=[photo])
    walk(public.case, city["cast"], *TO_ACCEPTED)
    [item] = get_json(client, f"requests/{public.case.case_no}.json")
    assert item["media_url"].startswith("http://testserver/open311/v2/media/")
    response = client.get(item["media_url"])
    assert response.status_code == 200 and b"".join(response.streaming_content) == JPEG
    assert client.get(item["media_url"][:-3] + "abc").status_code == 404
