from .case import Case, CaseNumber
from .events import CaseEvent
from .photos import CasePhoto
from .requests import CaseRequest
from .routing import DispatchRule, DispatchRuleKind, StreetOffice
from .settings import StageLimit

__all__ = [
    "Case",
    "CaseEvent",
    "CaseNumber",
    "CasePhoto",
    "CaseRequest",
    "DispatchRule",
    "DispatchRuleKind",
    "StageLimit",
    "StreetOffice",
]
