from .health import HealthCheck
from .notifications import Notification
from .organisation import Department, User
from .tokens import ApiToken
from .worktime import CalendarDay, CalendarGap, WorkPeriod, WorkSchedule

__all__ = [
    "ApiToken",
    "CalendarDay",
    "CalendarGap",
    "Department",
    "HealthCheck",
    "Notification",
    "User",
    "WorkPeriod",
    "WorkSchedule",
]
