"""Fixtures of the evaluation tests: the case layer's (tests/cases/conftest.py) and the hand-built month of cases
(casebook.py)."""

from tests.cases.conftest import (  # noqa: F401  (fixtures offered to the tests of this folder)
    _fresh_stage_limits,
    base_map,
    cast,
    garbage_class,
    new_case,
    report,
    taxonomy,
    wf_class,
)
from tests.evaluation.casebook import act, open_case, story  # noqa: F401  (fixtures)
from tests.evaluation.home_desk import desk  # noqa: F401  (fixture)
