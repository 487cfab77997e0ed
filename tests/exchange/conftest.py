"""Fixtures of the exchange tests: the case tests' small city (grids, 暴露垃圾 06010 with its condition, personas);
for citizens' reports and Open311 an Open311 client app with its key and helpers that walk a public report through
the centre's workflow; for networking a receiver (receiver.py), a peer sending to it, and ``act`` to move a case
along its workflow with the after-commit hooks running."""

from __future__ import annotations

import pytest

from tests.exchange.receiver import Receiver
from tests.fixtures.small_city import INSIDE

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 200


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _no_public_rate_limits(settings):
    """Counters live in Redis across tests sharing an address; the rate-limit tests set their own limits."""
    settings.PUBLIC_REPORT_RATE_PER_ADDRESS = None
    settings.PUBLIC_REPORT_RATE_PER_PHONE = None


@pytest.fixture
def api_key(db):
    from exchange.models import ApiClient

    client = ApiClient(name="城市随手拍 App")
    raw = client.issue_key()
    client.save()
    return raw


@pytest.fixture
def city(base_map, garbage_class, cast):
    return {"map": base_map, "class": garbage_class, "cast": cast}


def walk(case, cast, *actions: str, department=None, condition=None):
    """Move a case through the named steps with the right persona for each."""
    from cases.services.transitions import perform

    params = {
        "send_verify": ("operator", {"collector": cast["collector"].pk}),
        "verify": ("collector", {"verified": True}),
        "accept": ("operator", {}),
        "register": ("leader", {"condition": condition}),
        "dispatch": ("dispatcher", {"department": department.pk if department else None}),
        "sign": ("handler", {}),
        "dispose": ("handler", {"opinion": "已清运，路面已冲洗"}),
        "send_check": ("operator", {"collector": cast["collector"].pk}),
        "check": ("collector", {"passed": True}),
        "close": ("leader", {}),
    }
    for action in actions:
        who, extra = params[action]
        case = perform(case.pk, action, cast[who], **extra)
    return case


TO_ACCEPTED = ("send_verify", "verify", "accept")
TO_CLOSED = (*TO_ACCEPTED, "register", "dispatch", "sign", "dispose", "send_check", "check", "close")


def public_report(**overrides):
    from exchange.public.models import Channel
    from exchange.public.services import submit_report

    fields = {
        "channel": Channel.WEB,
        "class_code": "06010",
        "lat": INSIDE[1],
        "lng": INSIDE[0],
        "description": "小区门口垃圾堆了三天",
        "address": "东关路12号",
        "phone": "13800001234",
        **overrides,
    }
    public, _created = submit_report(**fields)
    return public


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
def act(cast, garbage_class, department, django_capture_on_commit_callbacks):
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
