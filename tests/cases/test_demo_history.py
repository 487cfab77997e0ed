"""The demo city's year of cases leaves a living centre: reports waiting in each working queue, real addresses, and
after-photos where the filing condition requires them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.choices import CaseStatus as S
from cases.demo import seed_case_history, seed_street_offices
from cases.models import Case, CasePhoto
from core.demo import seed_organisation
from core.models import Department
from grids.demo import demo_address, seed_base_map
from grids.taxonomy import assign_default_departments

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_organisation(seed=1)
    assign_default_departments({d.code: d for d in Department.objects.all()})
    seed_base_map(scale=0.002, seed=1)
    seed_street_offices()
    return seed_case_history(scale=0.002, seed=1)


def test_every_working_queue_has_reports_waiting_some_near_their_deadline(history):
    now = timezone.now()
    for status in (S.REPORTED, S.ACCEPTED, S.REGISTERED, S.DISPATCHED):  # 待受理, 待立案, 待派遣, 待签收
        assert Case.objects.filter(status=status).count() >= 3, status
    waiting = Case.objects.filter(status__in=[S.REPORTED, S.ACCEPTED, S.REGISTERED, S.DISPATCHED])
    assert waiting.filter(stage_deadline__lt=now + timedelta(days=1)).exists()
    assert seed_case_history(scale=0.002, seed=1) == {"cases": 0, "events": 0}  # a second run adds nothing


def test_addresses_come_from_the_demo_road_network(history):
    addresses = list(Case.objects.values_list("address", flat=True))
    assert addresses and all(re.fullmatch(r"璧山区\w+?(路|大道|街)\d+号", a) for a in addresses)
    assert demo_address(106.22, 29.59) == demo_address(106.22, 29.59)


def test_disposals_that_need_an_after_photo_carry_one(history):
    disposed = Case.objects.filter(condition__requires_after_photo=True, disposed_at__isnull=False)
    assert disposed.exists()
    for case in disposed[:20]:
        photo = CasePhoto.objects.filter(case=case, kind="after").first()
        assert photo is not None and photo.event is not None and photo.event.action == "dispose"
