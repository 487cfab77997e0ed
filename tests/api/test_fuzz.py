"""Schemathesis over the whole OpenAPI document: every operation as a collector, a dispatcher and an admin, with a
fixed seed. No input may answer 5xx, and every answer must match what the document promises (status, media type,
body schema). FUZZ_EXAMPLES raises the number of examples per operation (`make fuzz`)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
ROLES = ("collector", "dispatcher", "admin")
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def world(cast, platform, new_case, receive_order, base_map, garbage_class, department):
    """A department, grids, classes, a few cases and hotline orders, so that ids in URLs can resolve."""
    cases = [new_case(description=f"案件{n}") for n in range(3)]
    orders = [receive_order() for _ in range(3)]
    return {"cases": cases, "orders": orders}


@pytest.fixture
def wsgi_in_test_transaction():
    """Django's WSGI handler closes the connection at the end of each request; the test client avoids this by
    disconnecting the handler, and so must we, or the test's transaction would be gone after the first request."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(wsgi_in_test_transaction, fuzz_role, cast):
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=cast[fuzz_role])[0].key


def _load_schema():
    # The document is generated without touching the database, so it can be loaded while pytest collects.
    from citymgmt.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/", application)


schema = _load_schema()


def _known_ids(world) -> dict[str, list[int]]:
    return {
        "/api/v1/cases/": [case.pk for case in world["cases"]],
        "/api/v1/hotline/orders/": [order.pk for order in world["orders"]],
    }


@pytest.mark.django_db
@pytest.mark.parametrize("fuzz_role", ROLES)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_breaks_the_api(case, token, world):
    # Half the generated integer ids are replaced by ids of the seeded world, so the actions reach their handlers.
    ident = (case.path_parameters or {}).get("id")
    if isinstance(ident, int) and ident % 2 == 0:
        for prefix, ids in _known_ids(world).items():
            if case.operation.path.startswith(prefix):
                case.path_parameters["id"] = ids[ident % len(ids)]
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
