"""Vocabularies of the case layer: statuses, actions, sources, photo kinds (with Chinese labels and colours)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    """Where a case stands in the 数字城管 loop (docs/domain.md §3)."""

    REPORTED = "reported", _("Reported")  # 上报, awaiting acceptance
    VERIFYING = "verifying", _("Verifying")  # 核实中: a collector checks a public report on site
    ACCEPTED = "accepted", _("Accepted")  # 已受理, awaiting registration
    REGISTERED = "registered", _("Registered")  # 已立案, awaiting dispatch
    DISPATCHED = "dispatched", _("Dispatched")  # 已派遣, awaiting the department's signature
    DISPOSING = "disposing", _("Disposing")  # 处置中: signed by the department
    RETURN_REQUESTED = "return_requested", _("Return requested")  # 回退申请中
    SUSPENDED = "suspended", _("Suspended")  # 挂账/缓办: the clock stops
    DISPOSED = "disposed", _("Disposed")  # 已处置, awaiting check
    CHECKING = "checking", _("Checking")  # 核查中: a collector looks on site
    CHECKED = "checked", _("Checked")  # 核查通过, awaiting closure
    SELF_DISPOSED = "self_disposed", _("Self-disposed")  # 自处理, awaiting review
    CLOSED = "closed", _("Closed")  # 结案
    REJECTED = "rejected", _("Not accepted")  # 不予受理
    REFUSED = "refused", _("Not registered")  # 不予立案
    CANCELLED = "cancelled", _("Cancelled")  # 作废
    MERGED = "merged", _("Merged as duplicate")  # 重复案件合并


TERMINAL_STATUSES = frozenset(
    {CaseStatus.CLOSED, CaseStatus.REJECTED, CaseStatus.REFUSED, CaseStatus.CANCELLED, CaseStatus.MERGED}
)


class CaseSource(models.TextChoices):
    """案件来源: the intake channel."""

    COLLECTOR = "collector", _("Collector patrol")  # 监督员巡查
    PART_TIME = "part_time", _("Part-time collector")  # 兼职采集员
    VIDEO = "video", _("Video camera")  # 视频监控
    HOTLINE_12345 = "hotline_12345", _("12345 hotline")  # 12345 市长热线
    HOTLINE_12319 = "hotline_12319", _("12319 hotline")  # 12319 城建热线
    ONLINE = "online", _("Online opinion")  # 网络留言/政府信箱
    INSPECTION = "inspection", _("Leader inspection")  # 领导巡查
    CHAT_GROUP = "chat_group", _("Chat group")  # 千里眼群
    MEDIA = "media", _("Media exposure")  # 媒体曝光
    SELF_DISPOSAL = "self_disposal", _("Self-disposal")  # 自处理
    PUBLIC = "public", _("Citizens' report")  # 全民参与: the public page and Open311 apps


# Reports from the public must be verified on site by a collector before acceptance.
PUBLIC_SOURCES = frozenset(
    {
        CaseSource.HOTLINE_12345,
        CaseSource.HOTLINE_12319,
        CaseSource.ONLINE,
        CaseSource.CHAT_GROUP,
        CaseSource.MEDIA,
        CaseSource.PUBLIC,
    }
)
# Closed cases of these sources get a return visit (回访) asking the reporter's satisfaction; 不满意 reopens them.
REVISITED_SOURCES = frozenset({CaseSource.PUBLIC, CaseSource.ONLINE})

# Who handled each stage: the case keeps the last person to take one of these actions (``Case.verifier`` …
# ``Case.closer``, set by ``apply_action``), as its timeline tells it; the person rollups count each stage's work
# for that person.
STAGE_ACTORS: dict[str, tuple[str, ...]] = {
    "verifier": ("verify",),
    "acceptor": ("accept", "reject"),
    "registrar": ("register", "refuse"),
    "dispatcher": ("dispatch",),
    "checker": ("check",),
    "closer": ("close",),
}
ACTION_STAGE_ACTOR = {action: field for field, actions in STAGE_ACTORS.items() for action in actions}


class Satisfaction(models.TextChoices):
    """The reporter's answer on a return visit (回访), kept at the case level so evaluation reads it from cases."""

    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")  # 基本满意
    UNSATISFIED = "unsatisfied", _("Unsatisfied")  # 不满意


SATISFIED = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED})


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("Before disposal")  # 处置前
    AFTER = "after", _("After disposal")  # 处置后
    VERIFY = "verify", _("Verification")  # 核实
    CHECK = "check", _("Check")  # 核查


class Stage(models.TextChoices):
    """Timed stages; each has a deadline from the working calendar and an on-time flag fixed when it ends."""

    ACCEPT = "accept", _("Acceptance")  # 受理
    VERIFY = "verify", _("Verification")  # 核实
    REGISTER = "register", _("Registration")  # 立案
    DISPATCH = "dispatch", _("Dispatch")  # 派遣
    DISPOSE = "dispose", _("Disposal")  # 处置
    CHECK = "check", _("Check")  # 核查
    CLOSE = "close", _("Closure")  # 结案


class RequestKind(models.TextChoices):
    RETURN = "return", _("Return")  # 回退
    EXTENSION = "extension", _("Extension")  # 延期
    SUSPENSION = "suspension", _("Suspension")  # 挂账
    CANCEL = "cancel", _("Cancellation")  # 作废


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")


class TrafficLight(models.TextChoices):
    GREEN = "green", _("On time")  # < 80 % of the limit used
    YELLOW = "yellow", _("Nearly due")  # 80–100 %
    RED = "red", _("Overdue")  # beyond the limit
