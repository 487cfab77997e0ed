"""Schemathesis over the whole OpenAPI document: every operation as a collector, a dispatcher and an admin, with
positive and negative examples from a fixed seed. No input may answer 5xx, and every answer must match what the
document promises (status code, media type, body schema).

FUZZ_EXAMPLES sets the examples per operation, role and mode (default 5: two to three minutes here); `make fuzz`
runs many more. FUZZ_PATHS (a regular expression) limits the run to some paths while fixing them.

All operations of a role run inside one test, so the seeded world is built once per role, not once per operation.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
ROLES = ("collector", "dispatcher", "admin")
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def _load_schema():
    # The document is generated without touching the database, so it can be loaded while pytest collects.
    from citymgmt.wsgi import application

    loaded = schemathesis.openapi.from_wsgi("/api/schema/", application)
    only = os.environ.get("FUZZ_PATHS")
    return loaded.include(path_regex=only) if only else loaded


SCHEMA = _load_schema()


@pytest.fixture
def world(cast, platform, new_case, receive_order, base_map, garbage_class, department):
    """A department, grids, classes, a few cases and hotline orders, so that ids in URLs can resolve."""
    cases = [new_case(description=f"案件{n}") for n in range(3)]
    orders = [receive_order() for _ in range(3)]
    return {
        "/api/v1/cases/": [case.pk for case in cases],
        "/api/v1/hotline/orders/": [order.pk for order in orders],
        "/api/v1/departments/": [department.pk],
        **_supervision(cast),
    }


def _supervision(cast) -> dict:
    """An inspection record, a training and last month's draft assessment of the collection company."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from evaluation.supervision.assessment import create_assessment
    from evaluation.supervision.reference import ensure_default_items
    from evaluation.supervision.services import record_inspection, record_training

    today = timezone.localdate()
    collector = cast["collector"]
    record = record_inspection(
        cast["leader"],
        inspected_on=today,
        team="第一督察组",
        collector=collector,
        kind="missed",
        description="漏报",
        deduction=Decimal(1),
    )
    training = record_training(
        cast["leader"], held_on=today, topic="立案标准", trainer="培训组", results={collector: True}
    )
    ensure_default_items()
    assessment = create_assessment(cast["supervisor"], today.replace(day=1) - timedelta(days=1), "采集公司")
    return {
        "/api/v1/supervision/inspections/": [record.pk],
        "/api/v1/supervision/trainings/": [training.pk],
        "/api/v1/supervision/collectors/": [collector.pk],
        "/api/v1/supervision/assessments/": [assessment.pk],
    }


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


def _aim_at_the_world(case, world) -> None:
    """Half the generated integer ids are replaced by ids of the seeded world, so actions reach their handlers."""
    ident = (case.path_parameters or {}).get("id")
    if isinstance(ident, int) and ident % 2 == 0:
        for prefix, ids in world.items():
            if case.operation.path.startswith(prefix):
                case.path_parameters["id"] = ids[ident % len(ids)]


@pytest.mark.parametrize("role", ROLES)
def test_no_input_breaks_the_api(role, cast, world, wsgi_in_test_transaction):
    from core.tokens import issue

    def sign_in() -> dict:
        return {"Authorization": f"Token {issue(cast[role], 'fuzz')[1]}"}

    headers = sign_in()
    statuses: Counter = Counter()
    failures: list[str] = []
    skipped = 0
    operations = [result.ok() for result in SCHEMA.get_all_operations()]
    for operation in operations:
        for mode in MODES:

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failing example is reported
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                _aim_at_the_world(case, world)
                response = case.call(headers=headers)
                statuses[response.status_code // 100 * 100] += 1
                case.validate_response(response, checks=CHECKS, headers=headers)
                if case.operation.path.endswith("/auth/logout/") and response.status_code == 204:
                    headers.update(sign_in())  # logging out revoked the token: the next operations get a new one

            try:
                run()
            except Unsatisfiable:  # nothing to negate (e.g. an operation whose only parameters take any string)
                skipped += 1
            except Exception as exc:  # collect every operation's failure, not only the first
                failures.append(f"{operation.label} as {role} ({mode.value}):\n{exc}")
    print(
        f"\nschemathesis as {role}: {len(operations)} operations x {len(MODES)} modes x {EXAMPLES} examples, "
        f"{sum(statuses.values())} requests, by class {dict(sorted(statuses.items()))}, "
        f"{statuses[500]} server errors, {len(failures)} failing, {skipped} with nothing to negate"
    )
    assert not failures, "\n\n".join(failures)
