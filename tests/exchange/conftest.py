"""Fixtures of the networking tests: the case tests' small city, a receiver (receiver.py) and a peer sending to
it, and helpers to move a case along its workflow with the after-commit hooks running."""

from __future__ import annotations

import pytest

from tests.cases.conftest import (  # noqa: F401  (fixtures shared with the case tests)
    INSIDE,
    _fresh_stage_limits,
    base_map,
    cast,
    garbage_class,
    new_case,
    report,
    taxonomy,
    wf_class,
)
from tests.exchange.receiver import Receiver

SECRET = "test-shared-secret-0123456789"


@pytest.fixture(autouse=True)
def _fresh_exchange_caches():
    from exchange.networking.records import clear_mapping_cache
    from exchange.networking.services import clear_peer_cache

    clear_mapping_cache()
    clear_peer_cache()
    yield
    clear_mapping_cache()
    clear_peer_cache()


@pytest.fixture
def receiver():
    instance = Receiver(SECRET).start()
    yield instance
    instance.stop()


@pytest.fixture
def peer(db, receiver):
    from exchange.networking.models import Peer

    return Peer.objects.create(
        code="hubei-province",
        name="省级平台",
        level="provincial",
        url=receiver.url,
        secret=SECRET,
        feeds=["base", "cases", "hotline", "evaluation"],
        batch_size=3,
    )


@pytest.fixture
def act(cast, garbage_class, department, django_capture_on_commit_callbacks):  # noqa: F811
    """``act(case, action, **params)``: one workflow action by the persona whose job it is, its after-commit
    side effects (the transition's announcement, hence our listener) run."""
    from cases.services.transitions import perform

    who = {
        "accept": "operator",
        "register": "leader",
        "dispatch": "dispatcher",
        "sign": "handler",
        "dispose": "handler",
        "send_check": "operator",
        "check": "collector",
        "close": "leader",
        "urge": "supervisor",
    }
    defaults = {
        "register": {"condition": garbage_class["condition"].pk},
        "dispatch": {"department": department.pk},
        "dispose": {"opinion": "已清运"},
        "send_check": {"collector": cast["collector"].pk},
        "check": {"passed": True},
    }

    def run(case, action, **params):
        with django_capture_on_commit_callbacks(execute=True):
            return perform(case.pk, action, cast[who[action]], **{**defaults.get(action, {}), **params})

    return run


FULL_PATH = ["accept", "register", "dispatch", "sign", "dispose", "send_check", "check", "close"]
