from .audit import AuditEntry
from .health import HealthCheck
from .notifications import Notification
from .organisation import Department, User
from .outbox import OutboxMessage
from .tokens import ApiToken
from .worktime import CalendarDay, CalendarGap, WorkPeriod, WorkSchedule

__all__ = [
    "ApiToken",
    "AuditEntry",
    "CalendarDay",
    "CalendarGap",
    "Department",
    "HealthCheck",
    "Notification",
    "OutboxMessage",
    "User",
    "WorkPeriod",
    "WorkSchedule",
]
