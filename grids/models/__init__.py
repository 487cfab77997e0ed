from grids.patrol.models import PatrolAlert, PatrolShift, TrackPoint

from .basemap import Building, GreenSpace, PlaceLabel, Road, Water
from .components import Component
from .regions import DutyGrid, Region, UnitGrid
from .taxonomy import ClassificationStandard, ClassMapping, FilingCondition, MajorClass, MinorClass

__all__ = [
    "Building",
    "ClassMapping",
    "ClassificationStandard",
    "Component",
    "DutyGrid",
    "FilingCondition",
    "GreenSpace",
    "MajorClass",
    "MinorClass",
    "PatrolAlert",
    "PatrolShift",
    "PlaceLabel",
    "Region",
    "Road",
    "TrackPoint",
    "UnitGrid",
    "Water",
]
