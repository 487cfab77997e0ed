"""Indicator formulas on a hand-built month of cases (tests/evaluation/casebook.py): counts, rates, scores, people,
and the system-metrics contract the self-evaluation binds to."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.fixtures.casebook import at, mark_overdue_and_sync

pytestmark = pytest.mark.django_db

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def D(value: str) -> Decimal:
    return Decimal(value)


def test_counts_of_the_month(story):
    from evaluation.indicators import overall

    mark_overdue_and_sync()
    figures = overall(*MARCH)
    expected = {
        "reported": 10,
        "accepted": 8,
        "rejected": 1,
        "registered": 8,
        "to_dispatch": 7,  # the case cancelled before dispatch leaves
        "dispatched": 7,
        "dispatched_accurate": 6,  # the returned case was not sent straight to its disposer
        "to_dispose": 7,
        "disposed": 5,
        "disposed_on_time": 4,  # the late one is not; the extended one is
        "to_close": 7,
        "closed": 5,
        "suspended_open": 1,
        "cancelled": 2,
        "cancelled_before_register": 1,
        "registered_cancelled": 1,
        "reworked": 1,
        "rework_count": 1,
        "returned": 1,
        "return_count": 1,
        "extended": 1,
        "suspended": 1,
        "overdue_open": 1,
        "to_check": 5,
        "self_disposed": 0,
    }
    assert {key: figures.count(key) for key in expected} == expected


def test_rates_of_the_month(story):
    from evaluation.indicators import overall

    mark_overdue_and_sync()
    figures = overall(*MARCH)
    assert figures.rate("disposal_rate") == D("71.43")  # 5 / 7
    assert figures.rate("ontime_disposal_rate") == D("57.14")  # 4 / 7
    assert figures.rate("closure_rate") == D("71.43")  # 5 / 7
    assert figures.rate("ontime_closure_rate_excl_suspended") == D("83.33")  # 5 / (7 − 1)
    assert figures.rate("rework_rate") == D("20.00")  # 1 / 5
    assert figures.rate("extension_rate") == D("14.29")  # 1 / 7
    assert figures.rate("overdue_open_rate") == D("14.29")  # 1 / 7
    assert figures.rate("accurate_dispatch_rate") == D("85.71")  # 6 / 7
    assert figures.rate("accurate_registration_rate") == D("87.50")  # (8 − 1) / 8
    assert figures.rate("valid_report_rate") == D("80.00")  # 8 / 10
    assert figures.rate("return_rate") == D("14.29")  # 1 / 7
    assert figures.rate("cancellation_rate") == D("20.00")  # 2 / 10


def test_self_disposed_reports_are_valid_reports(story, open_case, cast, act):
    """自处理: the collector disposed of it on the spot; it never needs acceptance and is no invalid report."""
    from evaluation.indicators import by_person, overall

    case = open_case(at(20, 10), source="self_disposal")
    act(case, "close", cast["leader"], at(20, 11))
    mark_overdue_and_sync()
    figures = overall(*MARCH)
    assert figures.count("self_disposed") == 1
    assert figures.rate("valid_report_rate") == D("81.82")  # (8 + 1) / 11
    mine = by_person(*MARCH, "collector")[cast["collector"].pk]
    assert mine.count("valid_reports") == 9 and mine.count("reports") == 11
    from evaluation.rollups import rebuild

    rebuild()  # the rebuild's SQL agrees with the upkeep's
    assert by_person(*MARCH, "collector")[cast["collector"].pk].count("valid_reports") == 9


def test_a_period_without_cases_has_no_rates(story):
    from evaluation.indicators import overall

    figures = overall(date(2026, 4, 1), date(2026, 4, 30))
    assert figures.count("reported") == 0
    assert figures.rate("disposal_rate") is None


def test_departments_are_scored_and_ranked(story, department, other_department):
    from evaluation.indicators import COMPOSITES, by_department, compute_period

    mark_overdue_and_sync()
    groups = by_department(*MARCH)
    sanitation, lighting = groups[department.pk], groups[other_department.pk]
    assert sanitation.count("to_dispose") == 6 and sanitation.count("disposed") == 5
    assert lighting.count("to_dispose") == 1 and lighting.count("overdue_open") == 1
    # 环卫所: 处置率 5/6, 按期处置率 4/6, 返工率 1/5, 超期待处置率 0/6, 延期率 1/6
    expected = (
        D("83.33") * 30 + D("66.67") * 20 + (100 - D("20.00")) * 20 + (100 - D("0.00")) * 20 + (100 - D("16.67")) * 10
    ) / 100
    assert sanitation.score(COMPOSITES["department"]) == expected.quantize(D("0.01"))
    # 路灯所 disposed nothing and its only case is overdue: only (1 − 延期率)×10 scores; its rework rate has no
    # denominator, so the score is scaled from the 80 weights present to 100: 10 × 100 / 80.
    assert lighting.score(COMPOSITES["department"]) == D("12.50")
    period = compute_period(*MARCH)
    assert [row["id"] for row in period["departments"]] == [department.pk, other_department.pk]
    assert period["departments"][0]["rank"] == 1 and period["departments"][0]["grade"] in {"A", "B", "C", "D", "E"}


def test_admin_weights_replace_the_defaults(story, department):
    from evaluation.indicators import by_department, weights
    from evaluation.models import ScoreWeight

    ScoreWeight.objects.filter(scheme="department").delete()
    ScoreWeight.objects.create(scheme="department", indicator="disposal_rate", weight=100)
    assert [c.indicator for c in weights("department")] == ["disposal_rate"]
    assert by_department(*MARCH)[department.pk].score(weights("department")) == D("83.33")


def test_streets_and_communities(story):
    from evaluation.indicators import by_area

    streets = by_area(*MARCH, "street")
    assert set(streets) == {"500120001"} and streets["500120001"].count("reported") == 10
    assert set(by_area(*MARCH, "community")) == {"500120001001"}


def test_people_in_their_roles(story, cast):
    from evaluation.indicators import by_person

    collectors = by_person(*MARCH, "collector")
    mine = collectors[cast["collector"].pk]
    assert mine.count("reports") == 10 and mine.count("valid_reports") == 8
    assert mine.rate("collector_valid_report_rate") == D("80.00")
    assert mine.count("checks") == 5 and mine.rate("collector_ontime_check_rate") == D("100.00")
    leaders = by_person(*MARCH, "shift_leader")
    leader = leaders[cast["leader"].pk]
    assert leader.count("registered") == 8 and leader.count("registered_cancelled") == 1
    assert leader.rate("leader_accurate_registration_rate") == D("87.50")
    assert leader.count("closures") == 5
    dispatchers = by_person(*MARCH, "dispatcher")
    dispatcher = dispatchers[cast["dispatcher"].pk]
    assert dispatcher.count("dispatches") == 7 and dispatcher.count("dispatches_accurate") == 6
    assert dispatcher.rate("volume_score") == D("100.00")
    operators = by_person(*MARCH, "operator")
    assert operators[cast["operator"].pk].count("acceptances") == 9  # 8 accepted + 1 rejected


def test_missed_reports_come_from_the_collectors_duty_grids(open_case, act, cast, base_map):
    from evaluation.indicators import by_person
    from grids.models import DutyGrid

    beat = DutyGrid.objects.create(code="D1", name="东关责任网格")
    beat.unit_grids.add(base_map["grids"][0])
    beat.collectors.add(cast["collector"])
    public = open_case(at(2, 9), source="hotline_12319", reporter=cast["operator"])
    act(public, "send_verify", cast["operator"], at(2, 9, 5), collector=cast["collector"].pk)
    act(public, "verify", cast["collector"], at(2, 9, 10), verified=True)
    act(public, "accept", cast["operator"], at(2, 9, 15))
    own = open_case(at(2, 9))
    act(own, "accept", cast["operator"], at(2, 9, 5))
    figures = by_person(*MARCH, "collector")[cast["collector"].pk]
    assert figures.count("missed") == 1
    assert figures.count("verifications") == 1 and figures.rate("collector_ontime_verification_rate") == D("100.00")


def test_every_indicator_is_defined_once_with_its_formula():
    from evaluation.indicators import INDICATORS, RATES, definitions
    from evaluation.models.facts import CASE_MEASURES, PERSON_MEASURES

    known = set(CASE_MEASURES) | set(PERSON_MEASURES) | {"missed", "grid_registered", "volume", "max_volume"}
    for indicator in RATES.values():
        for term in (*indicator.numerator, *indicator.denominator):
            assert term.lstrip("-") in known, (indicator.key, term)
    rows = definitions()
    assert len({row["key"] for row in rows}) == len(rows) == len(INDICATORS)
    assert all(row["formula"] for row in rows)


def test_system_metrics_contract(story):
    from core.models import HealthCheck
    from evaluation.metrics import SYSTEM_METRICS, months_in, system_metric

    assert set(SYSTEM_METRICS) == {
        "cases_per_month",
        "disposal_rate",
        "ontime_disposal_rate",
        "closure_rate",
        "ontime_closure_rate",
        "hotline_reply_rate",
        "hotline_ontime_rate",
        "hotline_satisfaction_rate",
        "service_satisfaction_rate",
        "opinion_reply_rate",
        "bulletins_issued",
        "trained_share",
        "system_fault_rate",
    }
    assert all(m.label and m.unit and m.formula for m in SYSTEM_METRICS.values())
    assert months_in(date(2026, 1, 1), date(2026, 12, 31)) == 12
    assert system_metric("disposal_rate", *MARCH) == D("71.43")
    assert system_metric("closure_rate", *MARCH) == D("71.43")
    assert system_metric("cases_per_month", *MARCH) == D("8.00")
    assert system_metric("cases_per_month", date(2026, 3, 1), date(2026, 4, 30)) == D("4.00")
    assert system_metric("disposal_rate", date(2025, 1, 1), date(2025, 12, 31)) is None
    # System fault rate: from beat's samples only (tests/core/test_health.py); a probe's row counts for nothing.
    HealthCheck.objects.create(database_ok=True, redis_ok=True, celery_ok=False, healthy=False)
    assert system_metric("system_fault_rate", *MARCH) is None
    # Hotline figures come from hotlines.indicators: no work orders, no rate.
    assert system_metric("hotline_reply_rate", *MARCH) is None
    with pytest.raises(KeyError):
        system_metric("nonsense", *MARCH)


def test_online_opinion_reply_rate_and_bulletins_issued_are_system_metrics():
    """Bishan's 12319舆情投诉问题回复率 is the online-opinion (网络舆情) reply rate, not the hotline's; Suizhou's 8
    bulletins are the bulletins issued in the year."""
    from django.utils import timezone

    from evaluation.metrics import system_metric
    from evaluation.models import Bulletin, BulletinStatus
    from evaluation.selfeval.demo import BISHAN_INDICATORS
    from hotlines.models import OnlineOpinion

    for i, replied in enumerate([True, True, True, False]):
        OnlineOpinion.objects.create(
            channel="mailbox",
            external_no=f"OP{i}",
            title="t",
            content="c",
            submitted_at=at(3 + i, 10),
            replied_at=at(4 + i, 10) if replied else None,
        )
    assert system_metric("opinion_reply_rate", *MARCH) == D("75.00")
    assert system_metric("hotline_reply_rate", *MARCH) is None  # no work orders: a different figure
    assert {row[-1] for row in BISHAN_INDICATORS if "舆情" in row[2]} == {"opinion_reply_rate"}

    for month in range(1, 9):
        Bulletin.objects.create(
            year=2022,
            number=month,
            period_start=date(2022, month, 1),
            period_end=date(2022, month, 28),
            status=BulletinStatus.PUBLISHED,
            published_at=timezone.make_aware(timezone.datetime(2022, month + 1, 5, 10)),
        )
    Bulletin.objects.create(year=2022, number=9, period_start=date(2022, 9, 1), period_end=date(2022, 9, 30))
    assert system_metric("bulletins_issued", date(2022, 1, 1), date(2022, 12, 31)) == D(8)


def test_period_figures_are_cached(story, django_assert_max_num_queries):
    from evaluation.indicators import period_figures

    first = period_figures(*MARCH, fresh=True)
    with django_assert_max_num_queries(0):
        assert period_figures(*MARCH) == first


def test_the_rework_rate_variants(story):
    from evaluation.indicators import overall

    mark_overdue_and_sync()
    figures = overall(*MARCH)
    assert figures.rate("rework_rate") == D("20.00")  # 1 / 5 disposed
    assert figures.rate("rework_rate_of_to_close") == D("14.29")  # 1 / 7 to close


def test_the_sql_literals_follow_the_cases_vocabulary():
    """facts.py and rollups.py spell statuses and sources as SQL text; they must match cases.choices."""
    import re

    from cases.choices import PUBLIC_SOURCES, TERMINAL_STATUSES
    from evaluation import rollups
    from evaluation.models import facts

    assert set(re.findall(r"'(\w+)'", facts._PUBLIC_SOURCES)) == {str(s) for s in PUBLIC_SOURCES}
    assert set(re.findall(r"'(\w+)'", rollups.TERMINAL)) == {str(s) for s in TERMINAL_STATUSES}
