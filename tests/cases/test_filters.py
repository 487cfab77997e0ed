"""The case list's filters as the API serves them: dates as people type them, overdue as all / yes / no, and the
attention filters (turning yellow within the next working hour, due within N working hours)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django import forms

from core.filters import FlexibleMomentField, TriStateField, parse_date_text

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("text", ["2026-12-02", "2026/12/02", "2026/12/2", "2026.12.02", "20261202", "2026年12月2日"])
def test_a_date_is_read_in_the_forms_clerks_write(text):
    assert parse_date_text(text) == date(2026, 12, 2)


@pytest.mark.parametrize("text", ["2026-12-02T08:00:00+08:00", "yesterday", "12/02/2026", ""])
def test_what_is_not_a_bare_date_is_left_to_the_date_time_parser(text):
    assert parse_date_text(text) is None


def test_a_day_that_does_not_exist_is_an_error_naming_the_value():
    with pytest.raises(forms.ValidationError) as refused:
        FlexibleMomentField().clean("2026/02/30")
    assert "2026/02/30" in str(refused.value.messages)


def test_a_date_only_upper_bound_includes_its_whole_day(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    start = FlexibleMomentField().clean("2026/12/02")
    end = FlexibleMomentField(end_of_day=True).clean("20261202")
    assert start == datetime(2026, 12, 2, tzinfo=TZ)
    assert end == datetime(2026, 12, 2, 23, 59, 59, 999999, tzinfo=TZ)
    assert FlexibleMomentField().clean("2026-12-02T08:30:00+08:00") == datetime(2026, 12, 2, 8, 30, tzinfo=TZ)


@pytest.mark.parametrize(
    "value, expected", [("", None), (None, None), ("true", True), ("1", True), ("false", False), ("0", False)]
)
def test_tri_state_reads_all_yes_and_no(value, expected):
    assert TriStateField(required=False).clean(value) is expected


def test_tri_state_refuses_anything_else():
    with pytest.raises(forms.ValidationError):
        TriStateField(required=False).clean("maybe")


@pytest.mark.django_db
def test_api_overdue_filter_is_all_yes_or_no_and_refuses_other_values(api_as, cast, new_case):
    from cases.models import Case

    late, on_time = new_case(), new_case()
    Case.objects.filter(pk=late.pk).update(is_overdue=True)
    api = api_as(cast["dispatcher"])

    def ids(query: str) -> set[int]:
        response = api.get(f"/api/v1/cases/{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("") == ids("?overdue=") == {late.pk, on_time.pk}
    assert ids("?overdue=true") == {late.pk}
    assert ids("?overdue=false") == {on_time.pk}
    refused = api.get("/api/v1/cases/?overdue=maybe")
    assert refused.status_code == 400 and "overdue" in refused.json()


@pytest.mark.django_db
def test_api_reads_typed_dates_and_names_the_field_of_a_bad_one(api_as, cast, new_case):
    from django.utils import timezone

    case = new_case()
    api = api_as(cast["dispatcher"])
    today = timezone.localdate()
    for text in (today.isoformat(), today.strftime("%Y/%m/%d"), today.strftime("%Y%m%d")):
        response = api.get(f"/api/v1/cases/?received_after={text}&received_before={text}")
        assert response.status_code == 200 and [r["id"] for r in response.json()["results"]] == [case.pk], text
    tomorrow = (today + timedelta(days=1)).strftime("%Y/%m/%d")
    assert api.get(f"/api/v1/cases/?received_after={tomorrow}").json()["count"] == 0
    refused = api.get("/api/v1/cases/?received_after=2026/13/45")
    assert refused.status_code == 400 and "received" in refused.json()


@pytest.mark.django_db
def test_api_turning_yellow_and_due_within(api_as, cast, new_case):
    from django.utils import timezone

    from cases.models import Case
    from core.choices import TimeUnit
    from core.worktime import add_duration

    now = timezone.now()
    soon, later = new_case(), new_case()
    # 待受理 has a 15-working-minute limit: yellow from 3 minutes left; 30 minutes left turns yellow within the hour.
    Case.objects.filter(pk=soon.pk).update(stage_deadline=add_duration(now, 30, TimeUnit.WORK_MINUTES))
    Case.objects.filter(pk=later.pk).update(stage_deadline=add_duration(now, 10, TimeUnit.WORK_HOURS))
    api = api_as(cast["dispatcher"])
    assert [r["id"] for r in api.get("/api/v1/cases/?turns_yellow=true").json()["results"]] == [soon.pk]
    assert [r["id"] for r in api.get("/api/v1/cases/?due_within=2").json()["results"]] == [soon.pk]
    assert {r["id"] for r in api.get("/api/v1/cases/?due_within=12").json()["results"]} == {soon.pk, later.pk}
    refused = api.get("/api/v1/cases/?due_within=-1")
    assert refused.status_code == 400 and "due_within" in refused.json()


def test_the_extended_deadline_index_holds_the_disposal_stage_the_yellow_check_reads():
    """``case_extended_deadline`` (cases 0020) is partial on the statuses ``turning_yellow`` asks for; were the two
    lists to differ, PostgreSQL could no longer use it and the home page would read every open deadline again."""
    from cases.attention import DISPOSE_STATUSES
    from cases.models import Case

    index = next(index for index in Case._meta.indexes if index.name == "case_extended_deadline")
    assert sorted(dict(index.condition.children)["status__in"]) == sorted(DISPOSE_STATUSES)
