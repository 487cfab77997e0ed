"""Fixtures of the hotline tests: the small city of the case tests (grids, classes, departments, personas) plus a
12345 platform account and helpers to receive orders through the service."""

from __future__ import annotations

import itertools

import pytest

from tests.cases.conftest import (  # noqa: F401  (fixtures shared with the case tests)
    INSIDE,
    _fresh_stage_limits,
    base_map,
    cast,
    garbage_class,
    report,
    taxonomy,
    wf_class,
)

_numbers = itertools.count(1)


@pytest.fixture
def platform(make_user):
    from core.choices import Role

    return make_user("platform12345", Role.HOTLINE_PLATFORM)


@pytest.fixture
def receive_order(cast):  # noqa: F811  (the fixture imported above)
    """``receive_order(**overrides)``: an order received by the operator through the service."""
    from hotlines.services import receive

    def make(**overrides):
        fields = {
            "hotline": "12345",
            "external_no": f"GD{next(_numbers):08d}",
            "caller_name": "王先生",
            "caller_phone": "13812341234",
            "order_type": "complaint",
            "content": "小区门口垃圾堆积三天无人清运",
            "address": "东关路12号",
            **overrides,
        }
        actor = fields.pop("actor", cast["operator"])
        order, _created = receive(actor=actor, **fields)
        return order

    return make
