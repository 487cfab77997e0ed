"""Every count and rate of the evaluation (综合评价, docs/domain.md §5), each defined once as data.

An ``Indicator`` is key, label, formula text (shown as the tooltip wherever the figure appears), numerator and
denominator as sums of rollup measures (``-name`` subtracts), and which cases count (see the package docstring).
The hotline figures are computed by ``hotlines.indicators`` and only defined here, for their labels and formulas.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from evaluation.models.facts import CASE_MEASURES

TWO = Decimal("0.01")
CACHE_SECONDS = 300


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str | Promise
    formula: str | Promise
    numerator: tuple[str, ...]
    denominator: tuple[str, ...] = ()  # empty: a count
    scope: str = "case"  # "case": department/grid rollups; "person": the person rollup
    lower_is_better: bool = False
    counts: str | Promise = ""  # which cases count, when it needs saying

    @property
    def is_rate(self) -> bool:
        return bool(self.denominator)

    @property
    def unit(self) -> str:
        return "%" if self.is_rate else ""


def sum_terms(totals: dict[str, int], terms: Iterable[str]) -> int:
    """The sum of the named measures in *totals*; a term written ``-name`` is subtracted."""
    value = 0
    for term in terms:
        value += -int(totals.get(term[1:], 0) or 0) if term.startswith("-") else int(totals.get(term, 0) or 0)
    return value


COUNT_LABELS: dict[str, Promise] = {
    "reported": _("Reported"),
    "public_reports": _("Public reports"),
    "to_verify": _("To verify"),
    "verified_on_time": _("Verified on time"),
    "public_verified": _("Public reports confirmed on site"),
    "to_accept": _("To accept"),
    "accepted": _("Accepted (valid reports)"),
    "accepted_on_time": _("Accepted on time"),
    "rejected": _("Not accepted"),
    "registered": _("Registered"),
    "registered_on_time": _("Registered on time"),
    "registered_cancelled": _("Registered, then cancelled"),
    "refused": _("Not registered"),
    "to_dispatch": _("To dispatch"),
    "dispatched": _("Dispatched"),
    "dispatched_on_time": _("Dispatched on time"),
    "dispatched_accurate": _("Dispatched accurately"),
    "to_dispose": _("To dispose"),
    "disposed": _("Disposed"),
    "disposed_on_time": _("Disposed on time"),
    "overdue_open": _("Overdue, not yet disposed"),
    "to_check": _("To check"),
    "checked_on_time": _("Checked on time"),
    "to_close": _("To close"),
    "closed": _("Closed"),
    "closed_on_time": _("Closed on time"),
    "suspended_open": _("Suspended now"),
    "cancelled": _("Cancelled"),
    "cancelled_before_register": _("Cancelled before registration"),
    "merged": _("Merged duplicates"),
    "reworked": _("Reworked cases"),
    "rework_count": _("Reworks"),
    "returned": _("Returned cases"),
    "return_count": _("Returns"),
    "extended": _("Extended cases"),
    "suspended": _("Suspended cases"),
    "urged": _("Urged cases"),
    "urge_count": _("Urges"),
    "self_disposed": _("Self-disposed"),
}
assert set(COUNT_LABELS) == set(CASE_MEASURES)

COUNTS: dict[str, Indicator] = {
    key: Indicator(key, label, format_lazy("{}: {}", _("number of cases"), label), (key,))
    for key, label in COUNT_LABELS.items()
}

RATES: dict[str, Indicator] = {
    i.key: i
    for i in [
        Indicator(
            "disposal_rate",
            _("Disposal rate"),
            _("disposed / to dispose × 100%"),
            ("disposed",),
            ("to_dispose",),
            counts=_("to dispose: dispatched cases not cancelled"),
        ),
        Indicator(
            "ontime_disposal_rate",
            _("On-time disposal rate"),
            _("disposed on time / to dispose × 100%"),
            ("disposed_on_time",),
            ("to_dispose",),
            counts=_("on time: by the bundled deadline (extensions added, suspended time left out)"),
        ),
        Indicator(
            "closure_rate",
            _("Closure rate"),
            _("closed / to close × 100%"),
            ("closed",),
            ("to_close",),
            counts=_("to close: registered or self-disposed cases, not cancelled or merged"),
        ),
        Indicator(
            "ontime_closure_rate",
            _("On-time closure rate"),
            _("closed on time / to close × 100%"),
            ("closed_on_time",),
            ("to_close",),
        ),
        Indicator(
            "ontime_closure_rate_excl_suspended",
            _("On-time closure rate (suspended excluded)"),
            _("closed on time / (to close − suspended) × 100%"),
            ("closed_on_time",),
            ("to_close", "-suspended_open"),
        ),
        Indicator(
            "ontime_registration_rate",
            _("On-time registration rate"),
            _("registered on time / registered × 100%"),
            ("registered_on_time",),
            ("registered",),
        ),
        Indicator(
            "accurate_registration_rate",
            _("Accurate registration rate"),
            _("(registered − cancelled) / registered × 100%"),
            ("registered", "-registered_cancelled"),
            ("registered",),
        ),
        Indicator(
            "ontime_dispatch_rate",
            _("On-time dispatch rate"),
            _("dispatched on time / to dispatch × 100%"),
            ("dispatched_on_time",),
            ("to_dispatch",),
        ),
        Indicator(
            "accurate_dispatch_rate",
            _("Accurate dispatch rate"),
            _("dispatched straight to the final disposer / to dispatch × 100%"),
            ("dispatched_accurate",),
            ("to_dispatch",),
            counts=_("accurate: never returned"),
        ),
        Indicator(
            "valid_report_rate",
            _("Valid report rate"),
            _("valid reports / reports × 100%"),
            ("accepted", "self_disposed"),  # a self-disposed report (自处理) is valid: it skips acceptance
            ("reported",),
            counts=_("valid: accepted or self-disposed"),
        ),
        Indicator(
            "ontime_acceptance_rate",
            _("On-time acceptance rate"),
            _("accepted on time / accepted × 100%"),
            ("accepted_on_time",),
            ("accepted",),
        ),
        Indicator(
            "ontime_verification_rate",
            _("On-time verification rate"),
            _("verified on time / to verify × 100%"),
            ("verified_on_time",),
            ("to_verify",),
        ),
        Indicator(
            "ontime_check_rate",
            _("On-time check rate"),
            _("checked on time / to check × 100%"),
            ("checked_on_time",),
            ("to_check",),
        ),
        Indicator(
            "rework_rate",
            _("Rework rate"),
            _("reworked cases / disposed × 100%"),
            ("reworked",),
            ("disposed",),
            lower_is_better=True,
        ),
        Indicator(
            "rework_rate_of_to_close",
            _("Rework rate (of cases to close)"),
            _("reworked cases / to close × 100%"),
            ("reworked",),
            ("to_close",),
            lower_is_better=True,
            counts=_("the variant some cities use; pick it for a composite score in the admin's score weights"),
        ),
        Indicator(
            "overdue_open_rate",
            _("Overdue undisposed rate"),
            _("overdue, not yet disposed / to dispose × 100%"),
            ("overdue_open",),
            ("to_dispose",),
            lower_is_better=True,
        ),
        Indicator(
            "extension_rate",
            _("Extension rate"),
            _("extended cases / to dispose × 100%"),
            ("extended",),
            ("to_dispose",),
            lower_is_better=True,
        ),
        Indicator(
            "return_rate",
            _("Return rate"),
            _("returned cases / dispatched × 100%"),
            ("returned",),
            ("dispatched",),
            lower_is_better=True,
        ),
        Indicator(
            "suspension_rate",
            _("Suspension rate"),
            _("suspended cases / to dispose × 100%"),
            ("suspended",),
            ("to_dispose",),
            lower_is_better=True,
        ),
        Indicator(
            "cancellation_rate",
            _("Cancellation rate"),
            _("cancelled / reported × 100%"),
            ("cancelled",),
            ("reported",),
            lower_is_better=True,
        ),
        # Per person (the person rollup: what each person handled in their role).
        Indicator(
            "collector_valid_report_rate",
            _("Valid report rate"),
            _("the collector's valid reports / the collector's reports × 100%"),
            ("valid_reports",),
            ("reports",),
            scope="person",
        ),
        Indicator(
            "collector_ontime_verification_rate",
            _("On-time verification rate"),
            _("verifications on time / verifications × 100%"),
            ("verifications_on_time",),
            ("verifications",),
            scope="person",
        ),
        Indicator(
            "collector_ontime_check_rate",
            _("On-time check rate"),
            _("checks on time / checks × 100%"),
            ("checks_on_time",),
            ("checks",),
            scope="person",
        ),
        Indicator(
            "missed_report_rate",
            _("Missed report rate"),
            _("public reports confirmed on site in the collector's duty grids / registered in those grids × 100%"),
            ("missed",),
            ("grid_registered",),
            scope="person",
            lower_is_better=True,
            counts=_("missed: a public report verified on site in the collector's grids, not reported by a collector"),
        ),
        Indicator(
            "operator_ontime_acceptance_rate",
            _("On-time acceptance rate"),
            _("acceptances and rejections on time / acceptances and rejections × 100%"),
            ("acceptances_on_time",),
            ("acceptances",),
            scope="person",
        ),
        Indicator(
            "leader_ontime_registration_rate",
            _("On-time registration rate"),
            _("registered on time / registration decisions × 100%"),
            ("registrations_on_time",),
            ("registrations",),
            scope="person",
        ),
        Indicator(
            "leader_accurate_registration_rate",
            _("Accurate registration rate"),
            _("(registered − cancelled) / registered × 100%"),
            ("registered", "-registered_cancelled"),
            ("registered",),
            scope="person",
        ),
        Indicator(
            "leader_ontime_closure_rate",
            _("On-time closure rate"),
            _("closed on time / closed × 100%"),
            ("closures_on_time",),
            ("closures",),
            scope="person",
        ),
        Indicator(
            "dispatcher_ontime_dispatch_rate",
            _("On-time dispatch rate"),
            _("dispatched on time / dispatched × 100%"),
            ("dispatches_on_time",),
            ("dispatches",),
            scope="person",
        ),
        Indicator(
            "dispatcher_accurate_dispatch_rate",
            _("Accurate dispatch rate"),
            _("dispatched without a later return / dispatched × 100%"),
            ("dispatches_accurate",),
            ("dispatches",),
            scope="person",
        ),
        Indicator(
            "volume_score",
            _("Volume score"),
            _("the person's cases handled / the most handled by anyone in the role × 100"),
            ("volume",),
            ("max_volume",),
            scope="person",
        ),
    ]
}

INDICATORS: dict[str, Indicator] = {**COUNTS, **RATES}


# ---- Hotline figures (computed by hotlines.indicators.hotline_indicators; defined here for tooltips) ----------------


@dataclass(frozen=True)
class HotlineFigure:
    key: str  # the key of hotline_indicators()'s answer
    label: str | Promise
    formula: str | Promise

    @property
    def unit(self) -> str:
        return "%" if self.key.endswith("_rate") else ""


HOTLINE_FIGURES: dict[str, HotlineFigure] = {
    f.key: f
    for f in [
        HotlineFigure("orders", _("Work orders received"), _("work orders received in the period")),
        HotlineFigure("completed", _("Work orders completed"), _("work orders received in the period and completed")),
        HotlineFigure("completed_on_time", _("Completed on time"), _("work orders completed within their time limit")),
        HotlineFigure("replied", _("Replied"), _("work orders whose caller got a reply")),
        HotlineFigure("visited", _("Callers revisited"), _("work orders with a return visit that gave a satisfaction")),
        HotlineFigure("satisfied", _("Satisfied"), _("return visits answered satisfied or basically satisfied")),
        HotlineFigure("direct_answered", _("Answered directly"), _("work orders answered on the spot")),
        HotlineFigure(
            "ontime_completion_rate",
            _("On-time completion rate"),
            _("work orders completed on time / work orders completed × 100%"),
        ),
        HotlineFigure("reply_rate", _("Reply rate"), _("work orders replied / work orders received × 100%")),
        HotlineFigure("satisfaction_rate", _("Satisfaction rate"), _("satisfied callers / callers revisited × 100%")),
        HotlineFigure(
            "direct_answer_rate",
            _("Direct answer rate"),
            _("work orders answered directly / work orders received × 100%"),
        ),
        HotlineFigure("send_backs", _("Sent back"), _("times handling units sent work orders back")),
        HotlineFigure("redos", _("Redone"), _("times work orders were handled again after an unsatisfied visit")),
    ]
}


# ---- 服务对象满意度: everyone the centre served, whichever way they came (computed by evaluation.satisfaction) -----

SATISFACTION_CHANNELS: dict[str, str | Promise] = {
    "public": _("Citizens' reports"),  # 全民参与 page and Open311 apps (return visit by the tracking link)
    "online": _("Web opinions"),  # 网络留言/政府信箱 cases (return visit recorded by the desk)
    "hotline": _("Hotline orders"),  # 12345/12319 work orders (their own 回访)
}
SERVICE_SATISFACTION = HotlineFigure(
    "service_satisfaction_rate",
    _("Service recipients' satisfaction"),
    _(
        "answers 满意 or 基本满意 / return visits answered × 100%, over citizens' reports, web opinions and hotline "
        "orders received in the period (a case's latest visit counts)"
    ),
)


def definitions() -> list[dict]:
    """Every indicator's definition, for tooltips, the API and the workbook."""
    return [
        {
            "key": i.key,
            "label": str(i.label),
            "formula": str(i.formula),
            "numerator": list(i.numerator),
            "denominator": list(i.denominator),
            "unit": i.unit,
            "scope": i.scope,
            "lower_is_better": i.lower_is_better,
            "counts": str(i.counts),
        }
        for i in INDICATORS.values()
    ]
