"""Fixtures of the API-wide tests: the small city of the case and hotline tests."""

from tests.cases.conftest import (  # noqa: F401  (fixtures offered to the tests of this folder)
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
from tests.hotlines.conftest import platform, receive_order  # noqa: F401
