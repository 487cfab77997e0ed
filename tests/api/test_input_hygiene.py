"""Input hygiene in one place (core/sanitize.py and its parsers, middleware, fields and router): every bad input is a
400 naming the field or a 404, never a 500, and nothing half-done is committed."""

from __future__ import annotations

import json
import uuid

import pytest

from cases.models import Case
from hotlines.models import WorkOrder
from tests.fixtures.small_city import report_body as report

pytestmark = pytest.mark.django_db
CASES = "/api/v1/cases/"
ORDERS = "/api/v1/hotline/orders/"
PUSH = {
    "hotline": "12345",
    "external_no": "2026112900123",
    "caller_name": "李女士",
    "caller_phone": "13987654321",
    "order_type": "投诉",
    "content": "夜间施工噪音扰民",
    "address": "东关路8号",
}


def post_raw(client, url: str, raw: str):
    return client.generic("POST", url, raw.encode("utf-8", "surrogatepass"), content_type="application/json")


class TestIdsInUrls:
    @pytest.mark.parametrize(
        "url",
        [
            "/api/v1/cases/null,null/accept/",
            "/api/v1/cases/abc/",
            "/api/v1/hotline/orders/null/sign/",
            "/api/v1/hotline/orders/-1/",
            "/api/v1/departments/x/",
        ],
    )
    def test_a_non_integer_id_is_a_json_404(self, api_as, cast, url):
        response = api_as(cast["admin"]).post(url, {}, format="json")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")

    def test_a_huge_id_is_a_404(self, api_as, cast):
        response = api_as(cast["admin"]).post(f"{CASES}99999999999999999999/accept/", {}, format="json")
        assert response.status_code == 404


class TestActionFields:
    @pytest.mark.parametrize(
        ("action", "field"),
        [("transfer", "department"), ("visit", "satisfaction"), ("reply", "reply"), ("convert", "class_code")],
    )
    def test_a_missing_hotline_action_field_is_a_400_naming_it(self, api_as, cast, receive_order, action, field):
        order = receive_order()
        response = api_as(cast["admin"]).post(f"{ORDERS}{order.pk}/{action}/", {}, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()

    def test_a_wrongly_typed_case_action_field_is_a_400_naming_it(self, api_as, cast, new_case):
        case = new_case()
        response = api_as(cast["admin"]).post(f"{CASES}{case.pk}/dispatch/", {"department": "x"}, format="json")
        assert response.status_code == 400 and "department" in response.json()


class TestUnstorableText:
    def test_nul_in_a_json_body_names_the_field(self, api_as, platform):
        response = api_as(platform).post(ORDERS, {**PUSH, "content": "噪音\x00扰民"}, format="json")
        assert response.status_code == 400 and "content" in response.json()
        assert not WorkOrder.objects.exists()

    def test_an_unpaired_surrogate_names_the_field(self, api_as, platform):
        raw = json.dumps({**PUSH, "address": "东关\ud800路"})  # json.dumps writes it as the escape \\ud800
        response = post_raw(api_as(platform), ORDERS, raw)
        assert response.status_code == 400 and "address" in response.json()

    def test_nul_in_a_form_body_names_the_field(self, api_as, cast, base_map, garbage_class):
        response = api_as(cast["collector"]).post(CASES, report(address="a\x00b"), format="multipart")
        assert response.status_code == 400 and "address" in response.json()

    def test_views_with_their_own_parsers_refuse_it_too(self, api_as, cast):
        response = api_as(cast["admin"]).post("/api/v1/channels/chat-reports/", {"group": "群\x00"}, format="multipart")
        assert response.status_code == 400 and "group" in response.json()

    def test_nul_in_a_query_string_names_the_parameter(self, api_as, cast, client):
        response = api_as(cast["admin"]).get(CASES, {"q": "垃圾\x00"})
        assert response.status_code == 400 and "q" in response.json()
        client.force_login(cast["operator"])
        assert client.get("/cases/", {"q": "\x00"}).status_code == 400


class TestClientTimes:
    @pytest.mark.parametrize(
        "moment",
        [
            "0001-01-01T00:00:00",
            "1999-12-31T23:59:59+08:00",
            "2026-01-01T12:99:00",
            "2026-02-30T10:00:00",
            "2999-01-01",
        ],
    )
    def test_a_report_time_outside_the_window_is_a_400_naming_it(self, api_as, cast, base_map, garbage_class, moment):
        response = api_as(cast["collector"]).post(CASES, report(reported_at=moment), format="json")
        assert response.status_code == 400 and "reported_at" in response.json(), response.content
        assert not Case.objects.exists()

    def test_a_hotline_push_from_year_one_commits_nothing(self, api_as, platform):
        response = api_as(platform).post(ORDERS, {**PUSH, "received_at": "0001-01-01T00:00:00"}, format="json")
        assert response.status_code == 400 and "received_at" in response.json()
        assert not WorkOrder.objects.exists()

    def test_the_future_tolerance_is_a_setting(self, api_as, cast, base_map, garbage_class, settings):
        from datetime import timedelta

        from django.utils import timezone

        ahead = (timezone.now() + timedelta(hours=2)).isoformat()
        client = api_as(cast["collector"])
        assert client.post(CASES, report(reported_at=ahead), format="json").status_code == 400
        settings.CLIENT_TIME_FUTURE_MINUTES = 24 * 60
        assert client.post(CASES, report(reported_at=ahead), format="json").status_code == 201


class TestBatch:
    @pytest.mark.parametrize("raw", ["null", '"AAA"', "3", '{"items": null}', '{"items": "x"}'])
    def test_a_batch_that_is_not_a_list_is_a_400(self, api_as, cast, raw):
        response = post_raw(api_as(cast["collector"]), f"{CASES}batch/", raw)
        assert response.status_code == 400 and "items" in response.json()

    def test_a_poisoned_item_fails_alone(self, api_as, cast, base_map, garbage_class):
        good = report()
        items = [
            report(description="垃圾\x00"),
            report(reported_at="0001-01-01T00:00:00"),
            report(reported_at="2026-01-01T12:99"),
            None,
            "AAA",
            good,
            report(address="\ud800"),
        ]
        raw = json.dumps({"items": items})
        response = post_raw(api_as(cast["collector"]), f"{CASES}batch/", raw)
        assert response.status_code == 200, response.content
        results = response.json()["results"]
        assert [r["status"] for r in results] == ["error"] * 5 + ["created", "error"]
        assert "description" in results[0]["errors"] and "reported_at" in results[1]["errors"]
        assert "reported_at" in results[2]["errors"] and "address" in results[6]["errors"]
        assert list(Case.objects.values_list("client_uuid", flat=True)) == [uuid.UUID(good["client_uuid"])]
