"""API rate limits: each bucket answers 429 with Retry-After once its rate is spent; a dead cache lets requests by."""

import socket
import time

import pytest
from django.core.cache import cache

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    """``rates(anon=…, user=…, login=…, intake=…)``: switch buckets on with low rates; counters start at zero."""

    def set_rates(**values):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "login": None, "intake": None, **values},
        }
        cache.clear()
        # The counters are fixed windows aligned to the minute: a test whose requests straddled a minute's end would
        # start a fresh window halfway. Start each test with at least 15 s of its minute left.
        left = 60 - time.time() % 60
        if left < 15:
            time.sleep(left + 0.05)

    return set_rates


def assert_throttled(response):
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["detail"]


def test_user_bucket(api_as, personas, rates):
    rates(user="3/min")
    client = api_as(personas["dispatcher"])
    assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]
    assert_throttled(client.get("/api/v1/me/"))
    # Another user has a bucket of their own.
    assert api_as(personas["operator"]).get("/api/v1/me/").status_code == 200


def test_anonymous_bucket_is_per_address(api_client, rates):
    rates(anon="1/min")
    assert api_client.get("/api/schema/").status_code == 200
    assert_throttled(api_client.get("/api/schema/?format=json"))
    # Endpoints that need a user answer 401 before any bucket is counted.
    assert api_client.get("/api/v1/me/", REMOTE_ADDR="10.1.1.1").status_code == 401


def test_login_bucket_is_stricter_and_per_address(api_client, personas, rates):
    rates(login="2/min", anon="100/min")
    body = {"username": "collector", "password": PASSWORD}
    assert api_client.post("/api/v1/auth/token/", body, format="json").status_code == 200
    assert api_client.post("/api/v1/auth/token/", body, format="json").status_code == 200
    assert_throttled(api_client.post("/api/v1/auth/token/", body, format="json"))
    assert api_client.post("/api/v1/auth/token/", body, format="json", REMOTE_ADDR="10.1.1.2").status_code == 200


def test_intake_bucket_covers_reports_and_batches_but_not_reading(api_as, personas, rates):
    rates(intake="2/min", user="100/min")
    client = api_as(personas["collector"])
    assert client.post("/api/v1/cases/", {}, format="json").status_code == 400
    assert client.post("/api/v1/cases/batch/", [], format="json").status_code != 429
    assert_throttled(client.post("/api/v1/cases/", {}, format="json"))
    assert_throttled(client.post("/api/v1/cases/batch/", [], format="json"))
    assert client.get("/api/v1/me/").status_code == 200


def test_an_unreachable_cache_lets_requests_through(api_as, personas, rates, settings):
    rates(user="1/min")
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/9"}
    }
    client = api_as(personas["dispatcher"])
    assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]


@pytest.fixture
def own_redis():
    """A redis-server of the test's own on a spare loopback port, killed by its PID afterwards."""
    import subprocess

    import redis

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            import time

            time.sleep(0.05)
    yield client, port
    server.kill()
    server.wait()


def test_an_intake_request_costs_one_pipelined_increment(api_as, personas, rates, settings, own_redis):
    server, port = own_redis
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}
    }
    rates(intake="100/min")
    client = api_as(personas["collector"])
    server.config_resetstat()
    for _ in range(3):
        assert client.post("/api/v1/cases/", {}, format="json").status_code == 400
    stats = server.info("commandstats")
    calls = {name.removeprefix("cmdstat_"): stat["calls"] for name, stat in stats.items()}
    assert calls == {"incrby": 3, "expire": 3, "config|resetstat": 1}  # sent as one pipeline per request
