from .audit import AuditEntry
from .health import HealthCheck
from .notifications import Notification
from .organisation import Department, User
from .worktime import CalendarDay, CalendarGap, WorkPeriod, WorkSchedule

__all__ = [
    "AuditEntry",
    "CalendarDay",
    "CalendarGap",
    "Department",
    "HealthCheck",
    "Notification",
    "User",
    "WorkPeriod",
    "WorkSchedule",
]
