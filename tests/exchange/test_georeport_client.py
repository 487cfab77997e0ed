"""Acceptance: the PyPI ``georeport`` client (0.3.1) reads our Open311 endpoint over real HTTP — services,
definitions, requests and one request, in JSON and XML — and the JSON validates against the community GeoReport v2
schemas (tests/exchange/georeport_schemas.py). A token-posting client (``requests``) files a report with a photo."""

from __future__ import annotations

import jsonschema
import pytest
import requests
from georeport import GeoReport

from tests.exchange import georeport_schemas as schemas
from tests.exchange.conftest import INSIDE, JPEG, TO_ACCEPTED, TO_CLOSED, walk

pytestmark = pytest.mark.django_db(transaction=True)

FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER


def _validate(document, schema) -> None:
    jsonschema.validate(document, schema, format_checker=FORMATS)


@pytest.fixture
def served(live_server, city, api_key, department):
    """A live server with one public report posted through HTTP and walked to closed, and one still open."""
    root = live_server.url + "/open311/v2"
    condition = city["class"]["condition"]
    tokens = []
    for i in range(2):
        response = requests.post(
            root + "/requests.json",
            data={
                "api_key": api_key,
                "service_code": "06010",
                "lat": INSIDE[1],
                "long": INSIDE[0],
                "description": f"垃圾堆放 {i}",
                "attribute[condition]": condition.pk,
            },
            files={"media": ("p.jpg", JPEG, "image/jpeg")},
            timeout=30,
        )
        assert response.status_code == 201, response.text
        tokens.append(response.json()[0]["token"])
    from exchange.public.models import PublicReport

    closed = walk(
        PublicReport.objects.get(token=tokens[0]).case,
        city["cast"],
        *TO_CLOSED,
        department=department,
        condition=condition.pk,
    )
    still_open = walk(PublicReport.objects.get(token=tokens[1]).case, city["cast"], *TO_ACCEPTED)
    return {"root": root, "closed": closed, "open": still_open, "tokens": tokens}


def test_georeport_client_reads_json_and_it_validates(served):
    client = GeoReport(served["root"], output_format="json")
    services = client.get_service_list()
    _validate(services, schemas.SERVICES)
    assert "06010" in {s["service_code"] for s in services}
    definition = client.get_service_definition("06010")
    _validate(definition, schemas.SERVICE_DEFINITION)
    assert definition["attributes"][0]["code"] == "condition"
    listed = client.get_service_requests(service_code="06010", status="open,closed")
    _validate(listed, schemas.REQUESTS)
    assert {r["service_request_id"] for r in listed} == {served["closed"].case_no, served["open"].case_no}
    one = client.get_service_request(served["closed"].case_no)
    _validate(one, schemas.REQUEST)
    assert one["status"] == "closed" and one["agency_responsible"] == "环卫所"
    assert one["status_notes"] == "已清运，路面已冲洗" and one["media_url"].startswith(served["root"] + "/media/")
    assert requests.get(one["media_url"], timeout=10).content == JPEG
    closed_only = client.get_service_requests(status="closed")
    assert [r["service_request_id"] for r in closed_only] == [served["closed"].case_no]


def test_georeport_client_reads_xml(served):
    client = GeoReport(served["root"], output_format="xml")
    services = client.get_service_list()
    assert "06010" in {s["service_code"] for s in services}
    definition = client.get_service_definition("06010")
    attribute = definition["attributes"]["attribute"]
    assert attribute["code"] == "condition" and attribute["datatype"] == "singlevaluelist"
    listed = client.get_service_requests(status="open,closed")
    assert {r["service_request_id"] for r in listed} == {served["closed"].case_no, served["open"].case_no}
    one = client.get_service_request(served["open"].case_no)
    assert one["status"] == "open" and one["requested_datetime"].endswith("+08:00")


def test_tokens_over_http(served):
    root = served["root"]
    answer = requests.get(f"{root}/tokens/{served['tokens'][0]}.json", timeout=10).json()
    assert answer == [{"token": served["tokens"][0], "service_request_id": served["closed"].case_no}]
    missing = requests.get(f"{root}/requests/20000101-99999.json", timeout=10)
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


def test_every_error_validates_as_code_and_description(live_server, city):
    root = live_server.url + "/open311/v2"
    schema = {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "required": ["code", "description"],
            "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        },
    }
    for method, path, status in (
        ("get", "/services/00000.json", 404),
        ("get", "/requests.json?page_size=5000", 400),
        ("post", "/requests.json", 403),
    ):
        response = getattr(requests, method)(root + path, timeout=10)
        assert response.status_code == status
        _validate(response.json(), schema)
