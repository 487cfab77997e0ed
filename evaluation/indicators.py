"""Every count and rate of the evaluation (综合评价, domain.md §5), each defined once, computed from the rollups.

An ``Indicator`` is data: key, label, formula text (shown as the tooltip wherever the figure appears), numerator and
denominator as sums of rollup measures (``-name`` subtracts), and which cases count. ``Figures`` holds the summed
measures of one group (a department, a street, a person…) over a period and evaluates any indicator on them.

Which cases count: a case counts in the period in which it was received (reported), with its state as of now (see
``evaluation.models.facts``). Cancelled cases leave every "to …" denominator from the stage they were cancelled in;
merged duplicates leave the closure figures.

Composite scores (``COMPOSITES``) weight indicators per scheme (department, street, collector, operator, shift
leader, dispatcher); the admin overrides the defaults with ``ScoreWeight`` rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Sum
from django.db.models.functions import Substr
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from evaluation.models.facts import CASE_MEASURES, PERSON_MEASURES

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


def _sum(totals: dict[str, int], terms: Iterable[str]) -> int:
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


# ---- Composite scores ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Component:
    indicator: str
    weight: Decimal
    inverse: bool = False  # scores (100 − rate)


def _c(indicator: str, weight: int, inverse: bool = False) -> Component:
    return Component(indicator, Decimal(weight), inverse)


SCHEMES: dict[str, Promise] = {
    "department": _("Departments"),
    "street": _("Streets"),
    "collector": _("Collectors"),
    "operator": _("Operators"),
    "shift_leader": _("Shift leaders"),
    "dispatcher": _("Dispatchers"),
}

COMPOSITES: dict[str, list[Component]] = {
    # domain.md §5: 处置率×30 + 按期处置率×20 + (1 − 返工率)×20 + (1 − 超期待处置率)×20 + (1 − 延期率)×10
    "department": [
        _c("disposal_rate", 30),
        _c("ontime_disposal_rate", 20),
        _c("rework_rate", 20, True),
        _c("overdue_open_rate", 20, True),
        _c("extension_rate", 10, True),
    ],
    # Streets answer for their area: how its cases were disposed and closed.
    "street": [
        _c("disposal_rate", 30),
        _c("ontime_disposal_rate", 30),
        _c("closure_rate", 20),
        _c("ontime_closure_rate", 20),
    ],
    # 有效上报率×40 % + (100 − 漏报率)×20 % + 按时核实率×20 % + 按时核查率×20 %
    "collector": [
        _c("collector_valid_report_rate", 40),
        _c("missed_report_rate", 20, True),
        _c("collector_ontime_verification_rate", 20),
        _c("collector_ontime_check_rate", 20),
    ],
    "operator": [_c("volume_score", 20), _c("operator_ontime_acceptance_rate", 80)],
    # 按时立案率×25 % + 准确立案率×40 % + 按时结案率×35 %
    "shift_leader": [
        _c("leader_ontime_registration_rate", 25),
        _c("leader_accurate_registration_rate", 40),
        _c("leader_ontime_closure_rate", 35),
    ],
    # volume score×20 % + 按时派遣率×40 % + 准确派遣率×40 %
    "dispatcher": [
        _c("volume_score", 20),
        _c("dispatcher_ontime_dispatch_rate", 40),
        _c("dispatcher_accurate_dispatch_rate", 40),
    ],
}

GRADES = [(Decimal(90), "A"), (Decimal(75), "B"), (Decimal(60), "C"), (Decimal(40), "D")]


def grade(score: Decimal | None) -> str:
    if score is None:
        return ""
    for floor, letter in GRADES:
        if score >= floor:
            return letter
    return "E"


def weights(scheme: str) -> list[Component]:
    """The scheme's components: the admin's ``ScoreWeight`` rows when there are any, else the defaults."""
    from evaluation.models import ScoreWeight

    rows = list(ScoreWeight.objects.filter(scheme=scheme).order_by("id"))
    if rows:
        return [Component(r.indicator, r.weight, r.inverse) for r in rows if r.indicator in RATES]
    return COMPOSITES[scheme]


def load_default_weights() -> int:
    """Write the default weights as editable rows (only those missing). Returns how many were added."""
    from evaluation.models import ScoreWeight

    added = 0
    for scheme, components in COMPOSITES.items():
        for component in components:
            _row, created = ScoreWeight.objects.get_or_create(
                scheme=scheme,
                indicator=component.indicator,
                defaults={"weight": component.weight, "inverse": component.inverse},
            )
            added += created
    return added


def weight_text(weight: Decimal) -> str:
    """30.00 → "30", 12.50 → "12.5"."""
    text = format(Decimal(weight).normalize(), "f")
    return text


def composite_formula(components: list[Component]) -> str:
    parts = []
    for c in components:
        label = str(INDICATORS[c.indicator].label)
        weight = weight_text(c.weight)
        parts.append(f"(100 − {label})×{weight}%" if c.inverse else f"{label}×{weight}%")
    return " + ".join(parts)


# ---- Figures -------------------------------------------------------------------------------------------------------


def _q(value: Decimal) -> Decimal:
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    """Summed measures of one group over a period."""

    totals: dict[str, int] = field(default_factory=dict)

    def count(self, key: str) -> int:
        return int(self.totals.get(key, 0) or 0)

    def rate(self, key: str) -> Decimal | None:
        indicator = INDICATORS[key]
        if not indicator.is_rate:
            return Decimal(self.count(key))
        denominator = _sum(self.totals, indicator.denominator)
        if denominator <= 0:
            return None
        return _q(Decimal(_sum(self.totals, indicator.numerator)) * 100 / Decimal(denominator))

    def score(self, components: list[Component]) -> Decimal | None:
        """Σ weight × rate (or 100 − rate); components without a value (no denominator) are left out and the
        score scaled to the weights present; None when none has a value."""
        total = Decimal(0)
        present = Decimal(0)
        for c in components:
            value = self.rate(c.indicator)
            if value is None:
                continue
            total += c.weight * ((Decimal(100) - value) if c.inverse else value) / 100
            present += c.weight
        if not present:
            return None
        all_weights = sum((c.weight for c in components), Decimal(0))
        return _q(total * all_weights / present)

    def add(self, other: Figures) -> None:
        for key, value in other.totals.items():
            self.totals[key] = self.count(key) + int(value or 0)


def _sums(names: Iterable[str]) -> dict[str, Sum]:
    return {name: Sum(name) for name in names}


def overall(start: date, end: date, **filters) -> Figures:
    """All cases received in ``start``..``end`` (optionally of one ``department_id``)."""
    from evaluation.models import DepartmentDay

    totals = DepartmentDay.objects.filter(day__range=(start, end), **filters).aggregate(**_sums(CASE_MEASURES))
    return Figures({k: int(v or 0) for k, v in totals.items()})


def _grouped(queryset, key: str, names) -> dict:
    rows = queryset.values(key).annotate(**_sums(names))
    return {row[key]: Figures({n: int(row[n] or 0) for n in names}) for row in rows}


def by_department(start: date, end: date) -> dict[int, Figures]:
    from evaluation.models import DepartmentDay

    return _grouped(DepartmentDay.objects.filter(day__range=(start, end)), "department_id", CASE_MEASURES)


def by_source(start: date, end: date) -> dict[str, Figures]:
    from evaluation.models import SourceDay

    return _grouped(SourceDay.objects.filter(day__range=(start, end)), "source", CASE_MEASURES)


def by_area(start: date, end: date, level: str) -> dict[str, Figures]:
    """level: "street" (9-digit code) or "community" (12 digits)."""
    from evaluation.models import CommunityDay

    length = {"street": 9, "community": 12}[level]
    queryset = CommunityDay.objects.filter(day__range=(start, end)).annotate(area=Substr("community_code", 1, length))
    return _grouped(queryset, "area", CASE_MEASURES)


def by_grid(start: date, end: date) -> dict[str, Figures]:
    """Per unit grid, the few measures kept per grid (reported, registered, public reports confirmed on site)."""
    from evaluation.models import GridDay
    from evaluation.models.facts import GRID_MEASURES

    return _grouped(GridDay.objects.filter(day__range=(start, end)), "grid_code", GRID_MEASURES)


ROLE_OF_SCHEME = {
    "collector": "collector",
    "operator": "operator",
    "shift_leader": "shift_leader",
    "dispatcher": "dispatcher",
}
VOLUME_OF_SCHEME = {
    "collector": "reports",
    "operator": "acceptances",
    "shift_leader": "registrations",
    "dispatcher": "dispatches",
}


def by_person(start: date, end: date, scheme: str) -> dict[int, Figures]:
    """Per user of the scheme's role: their person-rollup sums, a volume score, and for collectors the missed
    reports of their duty grids."""
    from core.models import User
    from evaluation.models import PersonDay

    user_ids = list(User.objects.filter(role=ROLE_OF_SCHEME[scheme]).values_list("pk", flat=True))
    groups = _grouped(
        PersonDay.objects.filter(day__range=(start, end), user_id__in=user_ids), "user_id", PERSON_MEASURES
    )
    if scheme == "collector":
        grids = by_grid(start, end)
        from grids.models import DutyGrid

        beats: dict[int, set[str]] = {}
        for user_id, code in DutyGrid.objects.filter(is_active=True, collectors__in=user_ids).values_list(
            "collectors", "unit_grids__code"
        ):
            if code:
                beats.setdefault(user_id, set()).add(code)
        for user_id, codes in beats.items():
            figures = groups.setdefault(user_id, Figures({n: 0 for n in PERSON_MEASURES}))
            figures.totals["missed"] = sum(grids[c].count("public_verified") for c in codes if c in grids)
            figures.totals["grid_registered"] = sum(grids[c].count("registered") for c in codes if c in grids)
    volume = VOLUME_OF_SCHEME[scheme]
    most = max((f.count(volume) for f in groups.values()), default=0)
    for figures in groups.values():
        figures.totals["volume"] = figures.count(volume)
        figures.totals["max_volume"] = most
    return groups


# ---- A whole period, as plain data (cached) ------------------------------------------------------------------------


def _fmt(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _row(figures: Figures, scheme: str | None, indicator_keys: Iterable[str]) -> dict:
    row = {"counts": {k: figures.count(k) for k in figures.totals}}
    row["rates"] = {k: _fmt(figures.rate(k)) for k in indicator_keys}
    if scheme:
        score = figures.score(weights(scheme))
        row["score"] = _fmt(score)
        row["grade"] = grade(score)
    return row


CASE_RATE_KEYS = [k for k, i in RATES.items() if i.scope == "case"]
SCHEME_RATE_KEYS = {scheme: [c.indicator for c in COMPOSITES[scheme]] for scheme in COMPOSITES}


def _names(model, ids, field_name="name") -> dict:
    return dict(model.objects.filter(pk__in=list(ids)).values_list("pk", field_name))


def _ranked(rows: list[dict]) -> list[dict]:
    rows.sort(key=lambda r: (r.get("score") is None, -Decimal(r.get("score") or 0), str(r["name"])))
    for position, row in enumerate(rows, start=1):
        row["rank"] = position
    return rows


def compute_period(start: date, end: date) -> dict:
    """Every figure of a period as JSON-ready data: overall counts and rates, departments, streets, communities,
    sources and each person scheme, with composite scores, grades and ranks."""
    from core.models import Department, User
    from grids.models import Region

    result: dict = {"start": start.isoformat(), "end": end.isoformat()}
    result["overall"] = _row(overall(start, end), None, CASE_RATE_KEYS)
    departments = by_department(start, end)
    names = _names(Department, [d for d in departments if d])
    rows = []
    for department_id, figures in departments.items():
        if not department_id:
            continue  # not dispatched yet: belongs to no department
        row = _row(figures, "department", CASE_RATE_KEYS)
        row.update(id=department_id, name=names.get(department_id, str(department_id)))
        rows.append(row)
    result["departments"] = _ranked(rows)
    for level, key, scheme in (("street", "streets", "street"), ("community", "communities", None)):
        groups = by_area(start, end, level)
        region_names = dict(Region.objects.filter(code__in=list(groups)).values_list("code", "name"))
        rows = []
        for code, figures in groups.items():
            row = _row(figures, scheme, CASE_RATE_KEYS)
            row.update(code=code, name=region_names.get(code, code))
            rows.append(row)
        result[key] = _ranked(rows) if scheme else sorted(rows, key=lambda r: r["code"])
    result["sources"] = {source: _row(f, None, ["valid_report_rate"]) for source, f in by_source(start, end).items()}
    people = {}
    for scheme in ROLE_OF_SCHEME:
        groups = by_person(start, end, scheme)
        users = {
            u["pk"]: u
            for u in User.objects.filter(pk__in=list(groups)).values(
                "pk", "username", "first_name", "last_name", "department_id", "department__name", "department__kind"
            )
        }
        rows = []
        for user_id, figures in groups.items():
            user = users.get(user_id)
            if user is None:
                continue
            row = _row(figures, scheme, SCHEME_RATE_KEYS[scheme])
            full_name = f"{user['last_name']}{user['first_name']}".strip()
            row.update(
                id=user_id,
                name=full_name or user["username"],
                username=user["username"],
                company=user["department__name"] or "",
                company_kind=user["department__kind"] or "",
            )
            rows.append(row)
        people[scheme] = _ranked(rows)
    result["people"] = people
    return result


def _cache_key(start: date, end: date) -> str:
    from evaluation.rollups import version

    return f"evaluation:period:{start.isoformat()}:{end.isoformat()}:v{version()}"


def period_figures(start: date, end: date, *, fresh: bool = False) -> dict:
    """``compute_period`` through the Redis cache (five minutes; a rebuild of the rollups invalidates it)."""
    key = _cache_key(start, end)
    if not fresh:
        try:
            cached = cache.get(key)
        except Exception:
            cached = None
        if cached is not None:
            return cached
    result = compute_period(start, end)
    try:
        cache.set(key, result, CACHE_SECONDS)
    except Exception:
        pass
    return result


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
