"""What goes up: cases in the current national codes (legacy ones through the 2007 → 2026 mapping, unmapped ones
held back and listed, never sent), hotline orders without callers' data, published bulletins, base data; and the
full resync of a new peer."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from exchange.networking.delivery import deliver_peer
from exchange.networking.models import Delivery, DeliveryState, HeldRecord, Peer
from exchange.networking.services import release_held
from grids.models import ClassMapping, MinorClass
from tests.exchange.conftest import FULL_PATH, SECRET

pytestmark = pytest.mark.django_db


def test_a_class_without_a_mapping_is_held_back_until_one_is_added(peer, receiver, new_case, taxonomy, act):
    case = new_case()  # 96001 of a local standard: no national code
    act(case, "accept")
    assert not Delivery.objects.exists()
    held = HeldRecord.objects.get()
    assert (held.kind, held.key, held.class_code, held.standard) == ("case", case.case_no, "96001", "wf-test")
    assert "no mapping" in held.reason
    deliver_peer(peer.pk)
    assert receiver.arrivals == []

    national = MinorClass.objects.get(standard__is_default=True, kind="event", code="06010")
    ClassMapping.objects.create(source=taxonomy["garbage"], target=national)
    assert release_held([held.pk]) == (1, 0)
    assert not HeldRecord.objects.exists()
    deliver_peer(peer.pk)
    data = receiver.records[("case", case.case_no)]["data"]
    assert data["class_code"] == "06010" and data["class_name"] == national.name
    assert data["local_class"] == {"code": "96001", "name": "暴露垃圾（测试）", "standard": "wf-test"}


def test_a_class_mapped_to_several_national_ones_is_held_too(peer, new_case, taxonomy, act):
    for code in ("06010", "06011"):
        target = MinorClass.objects.get(standard__is_default=True, kind="event", code=code)
        ClassMapping.objects.create(source=taxonomy["garbage"], target=target)
    case = new_case()
    act(case, "accept")
    assert not Delivery.objects.exists()
    assert "several" in HeldRecord.objects.get(key=case.case_no).reason


def test_legacy_codes_go_up_through_the_loaded_2007_to_2026_mapping(peer, new_case, act):
    mapping = (
        ClassMapping.objects.filter(
            source__standard__code__startswith="cjt", target__standard__is_default=True, source__kind="event"
        )
        .select_related("source", "target")
        .order_by("pk")
        .first()
    )
    assert mapping is not None, "migrate loads the 2007 → 2026 mapping"
    case = new_case(minor_class=mapping.source)
    act(case, "accept")
    payload = Delivery.objects.get(peer=peer, kind="case").payload
    assert payload["class_code"] == mapping.target.code and payload["class_name"] == mapping.target.name
    assert payload["local_class"]["code"] == mapping.source.code


def test_a_legacy_component_class_keeps_to_the_component_table():
    """0102 污水井盖 (2007) maps to 01002 污水井盖 and to the matter 01002 污水井盖异常: the same-kind one counts."""
    from exchange.networking.records import national_class

    legacy = MinorClass.objects.get(standard__code="cjt214-2007", kind="component", code="0102")
    assert national_class(legacy.pk) == ("01002", "污水井盖")


def test_hotline_orders_go_up_without_the_callers_data(peer, receiver, receive_order, cast, department):
    from hotlines import services

    order = receive_order(hotline="12319")
    services.transfer(order.pk, cast["operator"], department=department.pk, opinion="请处理")
    rows = Delivery.objects.filter(peer=peer, kind="hotline_order").order_by("version")
    assert [row.version for row in rows] == [1, 2]
    assert rows[1].key == f"12319:{order.external_no}"
    payload = rows[1].payload
    assert payload["category"] == "城市管理" and payload["status"] == "transferred"
    assert payload["department"] == department.name and payload["transferred_at"].endswith("+08:00")
    text = json.dumps([row.payload for row in rows], ensure_ascii=False)
    assert "13812341234" not in text and "王先生" not in text
    deliver_peer(peer.pk)
    assert receiver.versions("hotline_order", rows[1].key) == [1, 2]


def test_a_published_bulletin_goes_up_once(peer, cast):
    from datetime import date

    from evaluation.bulletins.services import publish
    from evaluation.models import Bulletin

    bulletin = Bulletin.objects.create(
        year=2026, number=11, period_start=date(2026, 11, 1), period_end=date(2026, 11, 30)
    )
    assert not Delivery.objects.filter(kind="evaluation").exists()  # a draft stays home
    publish(bulletin.pk, cast["supervisor"])
    row = Delivery.objects.get(peer=peer, kind="evaluation")
    assert row.key == "2026-11" and row.version == 1
    assert row.payload["bulletin"] == {**row.payload["bulletin"], "year": 2026, "number": 11}
    bulletin.refresh_from_db()
    assert row.payload["headline"] == bulletin.figures["headline"] and len(row.payload["headline"]) > 3
    assert row.payload["overall"] == bulletin.figures["overall"]


def test_full_resync_of_a_new_peer(peer, receiver, report, act, receive_order, base_map):
    first, second = report(), report()
    for action in FULL_PATH:
        act(first, action)
    act(second, "accept")
    receive_order(hotline="12319")
    call_command("exchange_resync", peer.code, "--deliver", stdout=io.StringIO())
    kinds = {kind for kind, _key, _version in receiver.arrivals}
    assert kinds == {"region", "grid", "component_counts", "case", "hotline_order"}
    assert {key for kind, key, _v in receiver.arrivals if kind == "region"} == {
        "500120",
        "500120001",
        "500120002",
        "500120001001",
        "500120002001",
    }
    grid = receiver.records[("grid", "500120001001001@2020-01-01")]["data"]
    assert grid["community_code"] == "500120001001" and grid["geometry"]["type"] == "MultiPolygon"
    assert receiver.records[("case", first.case_no)]["data"]["status"] == "closed"
    before = len(receiver.arrivals)
    call_command("exchange_resync", peer.code, "--deliver", stdout=io.StringIO())
    assert len(receiver.arrivals) == before and receiver.duplicates == 0  # it has them all already

    newcomer = Peer.objects.create(
        code="national", name="国家平台", level="national", url=receiver.url, secret=SECRET, feeds=["cases"]
    )
    receiver.arrivals.clear()
    call_command("exchange_resync", newcomer.code, "--deliver", stdout=io.StringIO())
    got = {(kind, key): version for kind, key, version in receiver.arrivals}
    assert set(got) == {("case", first.case_no), ("case", second.case_no)}
    assert got[("case", first.case_no)] == 1 + len(FULL_PATH) - 1  # the current version, as the first peer has it
    assert Delivery.objects.filter(peer=newcomer, state=DeliveryState.ACKNOWLEDGED).count() == 2


def test_component_counts_go_up_per_national_class_and_status_leaving_unmapped_classes_held(peer, taxonomy):
    from django.contrib.gis.geos import Point

    from exchange.networking.services import queue_base_data
    from grids.choices import ClassKind
    from grids.models import Component, MajorClass

    national = MinorClass.objects.get(standard__is_default=True, kind="component", code="01002")
    legacy = MinorClass.objects.get(standard__code="cjt214-2007", kind="component", code="0102")  # → 01002
    local_major = MajorClass.objects.create(
        standard=taxonomy["standard"], kind=ClassKind.COMPONENT, code="97", name="测试"
    )
    unmapped = MinorClass.objects.create(
        standard=taxonomy["standard"], major=local_major, kind=ClassKind.COMPONENT, code="97001", name="测试部件"
    )
    here = Point(106.2005, 29.6005, srid=4326)
    for n, (klass, status) in enumerate(
        [(national, "intact"), (national, "damaged"), (legacy, "intact"), (unmapped, "intact")]
    ):
        Component.objects.create(
            identifier=f"X{n:016d}", minor_class=klass, status=status, geometry=here, location=here
        )
    queue_base_data()
    counts = Delivery.objects.get(peer=peer, kind="component_counts").payload["counts"]
    assert counts == [
        {"class_code": "01002", "class_name": "污水井盖", "status": "damaged", "count": 1},
        {"class_code": "01002", "class_name": "污水井盖", "status": "intact", "count": 2},
    ]
    held = HeldRecord.objects.get(kind="component_counts")
    assert (held.class_code, held.standard) == ("97001", "wf-test")
    queue_base_data()  # nothing changed: nothing new
    assert Delivery.objects.filter(peer=peer, kind="component_counts").count() == 1
