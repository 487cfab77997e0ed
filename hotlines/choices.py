"""Vocabularies of the hotline layer: work-order types, statuses, satisfaction, and the other intake channels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderType(models.TextChoices):
    """诉求类型 of a hotline work order."""

    CONSULTATION = "consultation", _("Consultation")  # 咨询
    HELP = "help", _("Request for help")  # 求助
    SUGGESTION = "suggestion", _("Suggestion")  # 建议
    COMPLAINT = "complaint", _("Complaint")  # 投诉
    REPORT = "report", _("Report of wrongdoing")  # 举报
    THANKS = "thanks", _("Thanks")  # 感谢
    OTHER = "other", _("Other")  # 其他


# The Chinese names the 12345 platform and spreadsheets use for the types.
ORDER_TYPE_NAMES = {
    "咨询": OrderType.CONSULTATION,
    "求助": OrderType.HELP,
    "建议": OrderType.SUGGESTION,
    "投诉": OrderType.COMPLAINT,
    "举报": OrderType.REPORT,
    "感谢": OrderType.THANKS,
    "其他": OrderType.OTHER,
}


class OrderStatus(models.TextChoices):
    RECEIVED = "received", _("Received, awaiting transfer")  # 已受理, awaiting transfer
    TRANSFERRED = "transferred", _("Transferred")  # 已转办, awaiting the department's signature
    CONVERTED = "converted", _("Converted to a case")  # 已转案件: completes when the case closes
    HANDLING = "handling", _("Handling")  # 办理中 (signed)
    HANDLED = "handled", _("Handled")  # 已办理, awaiting the reply
    REPLIED = "replied", _("Replied")  # 已答复, awaiting the return visit
    VISITED = "visited", _("Visited")  # 已回访 (satisfied), awaiting completion
    REDO = "redo", _("Redo")  # 重办: the citizen was not satisfied
    SENT_BACK = "sent_back", _("Sent back")  # 已退单, awaiting a new transfer
    COMPLETED = "completed", _("Completed")  # 已办结


OPEN_STATUSES = frozenset(set(OrderStatus) - {OrderStatus.COMPLETED})
# Statuses in which the order is with a department.
WITH_DEPARTMENT = frozenset({OrderStatus.TRANSFERRED, OrderStatus.HANDLING, OrderStatus.HANDLED, OrderStatus.REDO})


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")  # 基本满意
    UNSATISFIED = "unsatisfied", _("Unsatisfied")  # 不满意


SATISFACTION_NAMES = {
    "满意": Satisfaction.SATISFIED,
    "基本满意": Satisfaction.BASICALLY_SATISFIED,
    "不满意": Satisfaction.UNSATISFIED,
}
SATISFIED = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED})


class OpinionChannel(models.TextChoices):
    MAILBOX = "mailbox", _("Government mailbox")  # 政府信箱
    WEB_MESSAGE = "web_message", _("Web message")  # 网络留言


class InspectorLevel(models.TextChoices):
    """Who led a city-management inspection (城市综合管理巡查)."""

    DISTRICT_LEADER = "district_leader", _("District leader")  # 区领导
    BUREAU_LEADER = "bureau_leader", _("Bureau leader")  # 局领导
    STREET_LEADER = "street_leader", _("Street or town leader")  # 街镇领导
    SECTION_HEAD = "section_head", _("Section head")  # 科室负责人


class CameraWatch(models.TextChoices):
    """What a camera mainly watches."""

    ROAD = "road", _("Road and traffic")
    MARKET = "market", _("Market and street vending")
    SQUARE = "square", _("Square and park")
    RIVER = "river", _("River and waterside")
    CONSTRUCTION = "construction", _("Construction site")
    OTHER = "other", _("Other")
