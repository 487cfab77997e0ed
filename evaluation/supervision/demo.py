"""The demo city's supervision: who the collectors are (every third one part-time from sanitation, gardens,
municipal works or law enforcement since July of last year, as Bishan added them), one training with a failed
attendee and one collector never trained, and a few inspection records of last month. Idempotent: a collector with
a profile keeps it, and trainings, records and the assessment are added only when there are none. Last month's
assessment of the collection company (the collectors' department) is left a draft for the supervisor to fill and
confirm."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from core.choices import Role
from core.models import User
from evaluation.supervision.assessment import create_assessment
from evaluation.supervision.models import (
    Assessment,
    CollectorProfile,
    HomeDepartment,
    InspectionKind,
    InspectionRecord,
    Training,
    TrainingAttendance,
)

PART_TIME = [HomeDepartment.SANITATION, HomeDepartment.GARDENS, HomeDepartment.MUNICIPAL, HomeDepartment.ENFORCEMENT]


def seed_supervision(today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    collectors = list(User.objects.filter(role=Role.COLLECTOR, is_active=True).order_by("username"))
    inspector = User.objects.filter(role=Role.SHIFT_LEADER, is_active=True).order_by("username").first()
    profiles = 0
    for index, user in enumerate(collectors):
        part_time = index % 3 == 2
        _profile, made = CollectorProfile.objects.get_or_create(
            user=user,
            defaults={
                "home": PART_TIME[(index // 3) % len(PART_TIME)] if part_time else HomeDepartment.FULL_TIME,
                "started_on": date(today.year - 1, 7, 1) if part_time else date(today.year - 3, 3, 1),
            },
        )
        profiles += made
    trainings = records = 0
    if inspector is not None and collectors and not Training.objects.exists():
        training = Training.objects.create(
            held_on=today - timedelta(days=20),
            topic="部件事件立案标准与拍照规范",
            trainer="指挥中心培训组",
            created_by=inspector,
        )
        attendees = collectors[:-1]  # the last collector has not been trained yet
        TrainingAttendance.objects.bulk_create(
            TrainingAttendance(training=training, collector=user, passed=index != 1)  # the second one failed
            for index, user in enumerate(attendees)
        )
        trainings = 1
    if inspector is not None and collectors and not InspectionRecord.objects.exists():
        last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=10)
        findings = [
            (InspectionKind.MISSED, "暴露垃圾未及时上报", Decimal("2")),
            (InspectionKind.ABSENCE, "巡查时段离开责任网格约40分钟", Decimal("3")),
            (InspectionKind.MISSED, "井盖缺失未上报", Decimal("2")),
        ]
        for offset, (kind, text, points) in enumerate(findings):
            InspectionRecord.objects.create(
                inspected_on=last_month + timedelta(days=offset * 5),
                team="第一督察组" if offset % 2 == 0 else "第二督察组",
                inspector=inspector,
                collector=collectors[offset % len(collectors)],
                kind=kind,
                description=text,
                deduction=points,
                created_by=inspector,
            )
            records += 1
    assessments = 0
    assessor = (
        User.objects.with_perm("evaluation.assess_company", include_superusers=False)
        .filter(is_active=True)
        .order_by("pk")
        .first()
    )
    if assessor is not None and collectors and not Assessment.objects.exists():
        company = collectors[0].department.name if collectors[0].department_id else "信息采集公司"
        create_assessment(assessor, (today.replace(day=1) - timedelta(days=1)).replace(day=1), company)
        assessments = 1
    return {"profiles": profiles, "trainings": trainings, "inspections": records, "assessments": assessments}
