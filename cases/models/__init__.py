from .case import Case, CaseNumber
from .events import CaseEvent
from .keys import CaseKey
from .photos import CasePhoto
from .requests import CaseRequest
from .routing import DispatchRule, DispatchRuleKind, StreetOffice
from .settings import StageLimit
from .tally import CaseTally
from .visits import ReturnVisit

__all__ = [
    "Case",
    "CaseEvent",
    "CaseKey",
    "CaseNumber",
    "CasePhoto",
    "CaseRequest",
    "CaseTally",
    "DispatchRule",
    "DispatchRuleKind",
    "ReturnVisit",
    "StageLimit",
    "StreetOffice",
]
