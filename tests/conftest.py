"""Shared fixtures: named personas per role, API clients, and headless Chromium for the console."""

from __future__ import annotations

import os

import pytest

from tests.browser_checks import close_context

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from that thread are fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("CACHE_KEY_PREFIX", "citymgmt-test")

# Shared fixtures, registered once: every folder's tests ask for them by name (tests/fixtures/__init__.py).
pytest_plugins = [
    "tests.private_redis",
    "tests.fixtures.small_city",
    "tests.fixtures.hotline_orders",
    "tests.fixtures.casebook",
    "tests.fixtures.component_files",
    "tests.fixtures.home_desk",
]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "citymgmt-test-pw"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """Rate limits count across tests sharing an address and a minute; the throttle tests switch them on."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]),
    }


@pytest.fixture(autouse=True)
def _no_tile_cache(settings):
    """Tiles cached in Redis would outlive a test's database; the tile-cache tests switch it on."""
    settings.TILE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Each test sees the reference tables (calendar, classes, stage limits, grids) as its own database has them:
    a transactional test's flush reloads them with new ids."""
    from cases.deadlines import clear_limit_cache
    from cases.services import clear_class_cache
    from core.worktime import _cache
    from grids.spatial import invalidate_grid_index

    def clear():
        _cache.clear()
        clear_class_cache()
        clear_limit_cache()
        invalidate_grid_index()

    clear()
    yield
    clear()


@pytest.fixture
def make_user(db):
    from core.models import User

    def make(username: str, role: str, department=None, **extra):
        user = User(username=username, role=role, department=department, **extra)
        user.set_password(PASSWORD)
        user.save()
        return user

    return make


@pytest.fixture
def department(db):
    from core.models import Department

    return Department.objects.create(code="sanitation", name="环卫所")


@pytest.fixture
def other_department(db):
    from core.models import Department

    return Department.objects.create(code="lighting", name="路灯所")


@pytest.fixture
def personas(make_user, department):
    """One user per role: the cast every permission test speaks of."""
    from core.choices import Role

    return {
        "collector": make_user("collector", Role.COLLECTOR),
        "operator": make_user("operator", Role.OPERATOR),
        "leader": make_user("leader", Role.SHIFT_LEADER),
        "dispatcher": make_user("dispatcher", Role.DISPATCHER),
        "handler": make_user("handler", Role.HANDLER, department=department),
        "supervisor": make_user("supervisor", Role.SUPERVISOR),
        "finance": make_user("finance", Role.FINANCE),
        "admin": make_user("admin", Role.ADMIN),
    }


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def api_as(api_client):
    """``api_as(user)``: an API client authenticated with the user's token, as the handheld app is."""
    from core.tokens import issue

    def login(user):
        _token, key = issue(user, "test-device")
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return api_client

    return login


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs it")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    if "live_server" in request.fixturenames:
        close_context(context, request.getfixturevalue("live_server"))
    else:
        context.close()


@pytest.fixture
def console_login(page, live_server):
    """``console_login(user)``: log in through the real login form and return the page."""

    def login(user):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    return login
