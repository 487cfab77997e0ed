"""Every count and rate of the evaluation (综合评价, docs/domain.md §5), each defined once, computed from the rollups.

An ``Indicator`` is data: key, label, formula text (shown as the tooltip wherever the figure appears), numerator and
denominator as sums of rollup measures (``-name`` subtracts), and which cases count. ``Figures`` holds the summed
measures of one group (a department, a street, a person…) over a period and evaluates any indicator on them.

Which cases count: a case counts in the period in which it was received (reported), with its state as of now (see
``evaluation.models.facts``). Cancelled cases leave every "to …" denominator from the stage they were cancelled in;
merged duplicates leave the closure figures.

Composite scores (``COMPOSITES``) weight indicators per scheme (department, street, collector, operator, shift
leader, dispatcher); the admin overrides the defaults with ``ScoreWeight`` rows.

The package: ``definitions`` (every indicator and hotline figure as data), ``composites`` (schemes, weights,
grades), ``figures`` (``Figures`` and the sums per group), ``periods`` (a whole period, cached). Other modules import
from here (``from evaluation.indicators import overall``).
"""

from evaluation.indicators.composites import (
    COMPOSITES,
    GRADES,
    SCHEMES,
    Component,
    composite_formula,
    grade,
    load_default_weights,
    weight_text,
    weights,
)
from evaluation.indicators.definitions import (
    CACHE_SECONDS,
    COUNT_LABELS,
    COUNTS,
    HOTLINE_FIGURES,
    INDICATORS,
    RATES,
    SATISFACTION_CHANNELS,
    SERVICE_SATISFACTION,
    TWO,
    HotlineFigure,
    Indicator,
    definitions,
    sum_terms,
)
from evaluation.indicators.figures import (
    ROLE_OF_SCHEME,
    VOLUME_OF_SCHEME,
    Figures,
    by_area,
    by_department,
    by_grid,
    by_person,
    by_source,
    overall,
)
from evaluation.indicators.periods import (
    CASE_RATE_KEYS,
    SCHEME_RATE_KEYS,
    compute_period,
    period_figures,
)

__all__ = [
    "CACHE_SECONDS",
    "CASE_RATE_KEYS",
    "COMPOSITES",
    "COUNTS",
    "COUNT_LABELS",
    "GRADES",
    "HOTLINE_FIGURES",
    "INDICATORS",
    "RATES",
    "ROLE_OF_SCHEME",
    "SATISFACTION_CHANNELS",
    "SCHEMES",
    "SCHEME_RATE_KEYS",
    "SERVICE_SATISFACTION",
    "TWO",
    "VOLUME_OF_SCHEME",
    "Component",
    "Figures",
    "HotlineFigure",
    "Indicator",
    "by_area",
    "by_department",
    "by_grid",
    "by_person",
    "by_source",
    "composite_formula",
    "compute_period",
    "definitions",
    "grade",
    "load_default_weights",
    "overall",
    "period_figures",
    "sum_terms",
    "weight_text",
    "weights",
]
