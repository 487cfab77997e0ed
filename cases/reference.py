"""Default stage time limits (configurable in the admin): accept, register, dispatch in working minutes; verify and
check 30 working minutes (docs/domain.md §4); closure within an hour of a passed check."""

from __future__ import annotations

from decimal import Decimal

from cases.choices import Stage
from core.choices import TimeUnit

DEFAULT_STAGE_LIMITS: dict[str, tuple[Decimal, str]] = {
    Stage.ACCEPT: (Decimal(15), TimeUnit.WORK_MINUTES),
    Stage.VERIFY: (Decimal(30), TimeUnit.WORK_MINUTES),
    Stage.REGISTER: (Decimal(15), TimeUnit.WORK_MINUTES),
    Stage.DISPATCH: (Decimal(15), TimeUnit.WORK_MINUTES),
    Stage.CHECK: (Decimal(30), TimeUnit.WORK_MINUTES),
    Stage.CLOSE: (Decimal(60), TimeUnit.WORK_MINUTES),
}


def ensure_stage_limits() -> None:
    from cases.models import StageLimit

    existing = set(StageLimit.objects.values_list("stage", flat=True))
    StageLimit.objects.bulk_create(
        [
            StageLimit(stage=stage, value=value, unit=unit)
            for stage, (value, unit) in DEFAULT_STAGE_LIMITS.items()
            if stage not in existing
        ]
    )
