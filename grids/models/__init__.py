from grids.patrol.models import PatrolAlert, PatrolShift, TrackPoint

from .components import Component
from .regions import DutyGrid, Region, UnitGrid
from .taxonomy import ClassificationStandard, ClassMapping, FilingCondition, MajorClass, MinorClass

__all__ = [
    "ClassMapping",
    "ClassificationStandard",
    "Component",
    "DutyGrid",
    "FilingCondition",
    "MajorClass",
    "MinorClass",
    "PatrolAlert",
    "PatrolShift",
    "Region",
    "TrackPoint",
    "UnitGrid",
]
