"""Trust boundaries of intake: a report's source follows from the reporter's role and the endpoint, and a
client_uuid is only ever answered with the reporter's own case."""

from __future__ import annotations

import uuid

import pytest

from cases.choices import CaseSource
from cases.models import Case
from tests.fixtures.small_city import INSIDE

pytestmark = pytest.mark.django_db
CASES = "/api/v1/cases/"


def report(**overrides) -> dict:
    body = {"client_uuid": str(uuid.uuid4()), "class_code": "06010", "lat": INSIDE[1], "lng": INSIDE[0]}
    body.update(overrides)
    return body


class TestSource:
    @pytest.mark.parametrize(
        "source", ["hotline_12345", "hotline_12319", "video", "online", "inspection", "chat_group", "media"]
    )
    def test_a_collector_cannot_file_from_another_channel(self, api_as, cast, base_map, garbage_class, source):
        response = api_as(cast["collector"]).post(CASES, report(source=source), format="json")
        assert response.status_code == 400 and "source" in response.json()
        assert not Case.objects.exists()

    def test_a_collector_files_patrol_findings_and_self_disposals(self, api_as, cast, base_map, garbage_class):
        client = api_as(cast["collector"])
        assert client.post(CASES, report(), format="json").status_code == 201
        assert client.post(CASES, report(source="self_disposal"), format="json").status_code == 201
        assert set(Case.objects.values_list("source", flat=True)) == {CaseSource.COLLECTOR, CaseSource.SELF_DISPOSAL}

    def test_the_desk_cannot_file_as_a_hotline_either(self, api_as, cast, base_map, garbage_class):
        client = api_as(cast["operator"])
        assert client.post(CASES, report(source="hotline_12345"), format="json").status_code == 400
        assert client.post(CASES, report(source="media"), format="json").status_code == 201

    def test_a_batch_item_from_another_channel_fails_alone(self, api_as, cast, base_map, garbage_class):
        items = [report(source="hotline_12345"), report()]
        response = api_as(cast["collector"]).post(f"{CASES}batch/", {"items": items}, format="json")
        assert [r["status"] for r in response.json()["results"]] == ["error", "created"]
        assert "source" in response.json()["results"][0]["errors"]


class TestClientUuid:
    def test_another_users_client_uuid_is_a_409_never_their_case(self, api_as, cast, base_map, garbage_class):
        body = report(description="第一位监督员的案件")
        first = api_as(cast["collector"]).post(CASES, body, format="json")
        assert first.status_code == 201
        stolen = api_as(cast["collector2"]).post(CASES, body, format="json")
        assert stolen.status_code == 409 and "client_uuid" in stolen.json()
        assert (
            str(first.json()["id"]) not in stolen.content.decode()
            and first.json()["case_no"] not in stolen.content.decode()
        )

    def test_the_same_user_repeating_gets_the_same_case(self, api_as, cast, base_map, garbage_class):
        client = api_as(cast["collector"])
        body = report()
        first = client.post(CASES, body, format="json")
        again = client.post(CASES, body, format="json")
        assert (first.status_code, again.status_code) == (201, 200) and again.json()["id"] == first.json()["id"]

    def test_in_a_batch_another_users_client_uuid_is_an_item_error(self, api_as, cast, base_map, garbage_class):
        taken = report()
        assert api_as(cast["collector"]).post(CASES, taken, format="json").status_code == 201
        mine = report()
        response = api_as(cast["collector2"]).post(f"{CASES}batch/", {"items": [taken, mine]}, format="json")
        results = response.json()["results"]
        assert [r["status"] for r in results] == ["error", "created"]
        assert "client_uuid" in results[0]["errors"] and "id" not in results[0]
        assert Case.objects.filter(client_uuid=mine["client_uuid"], reporter=cast["collector2"]).exists()


def test_a_channels_own_key_stays_shared_between_users(cast, base_map, garbage_class):
    """Channel services key cases by the record (camera + capture time, a work order): whoever records the same
    sighting gets the same case; only an app's client_uuid belongs to its reporter."""
    from cases.services import report_case

    key = uuid.uuid4()
    fields = {"class_code": "06010", "lng": INSIDE[0], "lat": INSIDE[1], "client_uuid": key, "source": "video"}
    first, created = report_case(reporter=cast["operator"], **fields)
    again, created_again = report_case(reporter=cast["admin"], **fields)
    assert created and not created_again and again.pk == first.pk
