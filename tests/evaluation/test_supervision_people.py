"""Collectors as people (home department, start date) and their training: the flag on the collectors' list and
the trained share the self-evaluation binds to."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

pytestmark = pytest.mark.django_db


def train(actor, held_on, results, topic="立案标准"):
    from evaluation.supervision.services import record_training

    return record_training(actor, held_on=held_on, topic=topic, trainer="培训组", results=results)


@pytest.fixture
def crew(cast, make_user):
    from core.choices import Role

    return {**cast, "collector3": make_user("collector3", Role.COLLECTOR)}


def test_the_last_training_counts_and_the_share_follows(crew):
    from evaluation.metrics import system_metric
    from evaluation.supervision.training import last_results, trained_share

    leader = crew["leader"]
    c1, c2, c3 = crew["collector"], crew["collector2"], crew["collector3"]
    train(leader, date(2026, 3, 1), {c1: True, c2: False})
    assert last_results([c1.pk, c2.pk, c3.pk]) == {c1.pk: True, c2.pk: False}
    assert trained_share(date(2026, 3, 31)) == Decimal("33.33")  # 1 of 3
    train(leader, date(2026, 4, 2), {c2: True, c1: False})  # retrained until they pass; c1 now fails
    assert last_results([c1.pk, c2.pk]) == {c1.pk: False, c2.pk: True}
    assert trained_share(date(2026, 3, 31)) == Decimal("33.33")  # as of March nothing changed
    train(leader, date(2026, 4, 9), {c1: True, c3: True})
    assert system_metric("trained_share", date(2026, 1, 1), date(2026, 12, 31)) == Decimal("100.00")
    crew["collector3"].is_active = False
    crew["collector3"].save()
    assert trained_share(date(2026, 12, 31)) == Decimal("100.00")  # 2 of 2 active


def test_training_records_check_permission_and_fields(crew):
    with pytest.raises(PermissionDenied):
        train(crew["dispatcher"], date(2026, 3, 1), {crew["collector"]: True})
    with pytest.raises(ValidationError) as error:
        train(crew["leader"], date(2026, 3, 1), {crew["operator"]: True})
    assert "attendees" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        train(crew["leader"], timezone.localdate() + timedelta(days=1), {crew["collector"]: True})
    assert "held_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        train(crew["leader"], date(2026, 3, 1), {})
    assert "attendees" in error.value.message_dict


def test_the_list_flags_the_failed_and_the_untrained(client, crew):
    from evaluation.supervision.models import CollectorProfile

    CollectorProfile.objects.create(user=crew["collector2"], home="sanitation", started_on=date(2025, 7, 1))
    train(crew["leader"], date(2026, 3, 1), {crew["collector"]: True, crew["collector2"]: False})
    client.force_login(crew["supervisor"])
    page = client.get("/evaluation/supervision/collectors/")
    assert page.status_code == 200
    rows = {row["user"].username: row for row in page.context["rows"]}
    assert [name for name, row in rows.items() if row["flagged"]] == ["collector2", "collector3"]
    assert rows["collector2"]["profile"].get_home_display() in ("Sanitation", "环卫")
    assert 'data-user="collector2" class="flagged"' in page.content.decode()
    client.force_login(crew["dispatcher"])
    assert client.get("/evaluation/supervision/collectors/").status_code == 403


def test_the_training_page_records_a_session(client, crew):
    from evaluation.supervision.models import Training

    client.force_login(crew["leader"])
    response = client.post(
        "/evaluation/supervision/trainings/",
        {
            "held_on": "2026-03-01",
            "topic": "拍照规范",
            "trainer": "王老师",
            "passed": [crew["collector"].pk],
            "failed": [crew["collector2"].pk],
        },
    )
    assert response.status_code == 302
    training = Training.objects.get()
    assert dict(training.attendances.values_list("collector__username", "passed")) == {
        "collector": True,
        "collector2": False,
    }
    both = client.post(
        "/evaluation/supervision/trainings/",
        {
            "held_on": "2026-03-02",
            "topic": "x",
            "trainer": "y",
            "passed": [crew["collector"].pk],
            "failed": [crew["collector"].pk],
        },
    )
    assert both.status_code == 400 and Training.objects.count() == 1


def test_the_demo_gives_some_collectors_part_time_profiles(crew):
    from evaluation.supervision.demo import seed_supervision
    from evaluation.supervision.models import Assessment, CollectorProfile, InspectionRecord

    first = seed_supervision(today=date(2026, 5, 15))
    assert first == {"profiles": 3, "trainings": 1, "inspections": 3, "assessments": 1}
    homes = dict(CollectorProfile.objects.values_list("user__username", "home"))
    assert homes == {"collector": "full_time", "collector2": "full_time", "collector3": "sanitation"}
    assert CollectorProfile.objects.get(user__username="collector3").started_on == date(2025, 7, 1)
    assert set(InspectionRecord.objects.values_list("inspected_on", flat=True)) == {
        date(2026, 4, 10),
        date(2026, 4, 15),
        date(2026, 4, 20),
    }
    made = Assessment.objects.get()
    assert made.month == date(2026, 4, 1) and made.status == "draft" and made.lines.count() == 7
    # 2 of the 3 missed in April were 漏报, with no report of the collectors: 100 % missed, 0 points of 20.
    assert made.lines.get(item__code="missed_reports").value == Decimal("100.00")
    again = seed_supervision(today=date(2026, 5, 15))
    assert again == {"profiles": 0, "trainings": 0, "inspections": 0, "assessments": 0}
