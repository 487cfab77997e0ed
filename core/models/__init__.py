from .health import HealthCheck
from .imports import ImportJob, ImportJobStatus
from .notifications import Notification
from .organisation import Department, User
from .worktime import CalendarDay, CalendarGap, WorkPeriod, WorkSchedule

__all__ = [
    "CalendarDay",
    "CalendarGap",
    "Department",
    "HealthCheck",
    "ImportJob",
    "ImportJobStatus",
    "Notification",
    "User",
    "WorkPeriod",
    "WorkSchedule",
]
