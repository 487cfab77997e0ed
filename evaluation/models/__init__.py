"""Models of the evaluation layer: each sub-domain in its own module, imported here so Django finds them."""

from evaluation.models.builds import RollupBuild, RollupScope  # noqa: F401
from evaluation.models.bulletins import (  # noqa: F401
    Bulletin,
    BulletinEvent,
    BulletinStatus,
    FrozenBulletinError,
    ImmutableEventError,
)
from evaluation.models.facts import (  # noqa: F401
    CaseFact,
    CommunityDay,
    DepartmentDay,
    GridDay,
    PersonDay,
    ScoreWeight,
    SourceDay,
)
from evaluation.models.hotspots import HeatCell, HeatGrain, HotspotDay, ScreenKey  # noqa: F401
from evaluation.models.selfeval import (  # noqa: F401
    FundsLine,
    Indicator,
    PlatformRefresh,
    Project,
    RefreshStatus,
    SelfEvaluation,
    SelfEvaluationEvent,
)
from evaluation.models.stored import PeriodFigure  # noqa: F401
from evaluation.supervision.models import (  # noqa: F401
    Assessment,
    AssessmentEvent,
    AssessmentItem,
    AssessmentLine,
    CollectorProfile,
    InspectionCorrection,
    InspectionPhoto,
    InspectionRecord,
    Training,
    TrainingAttendance,
)
