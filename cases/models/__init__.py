from .case import Case, CaseNumber
from .events import CaseEvent
from .photos import CasePhoto
from .requests import CaseRequest
from .routing import DispatchRule, DispatchRuleKind, StreetOffice
from .settings import StageLimit
from .visits import ReturnVisit

__all__ = [
    "Case",
    "CaseEvent",
    "CaseNumber",
    "CasePhoto",
    "CaseRequest",
    "DispatchRule",
    "DispatchRuleKind",
    "ReturnVisit",
    "StageLimit",
    "StreetOffice",
]
