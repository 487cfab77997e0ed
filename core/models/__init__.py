from .audit import AuditEntry
from .exports import ExportJob, ExportJobStatus
from .health import HealthCheck
from .imports import ImportJob, ImportJobStatus
from .notifications import Notification
from .organisation import Department, User
from .outbox import OutboxMessage
from .timeline import ImmutableEventError, TimelineEvent
from .tokens import ApiToken
from .worktime import CalendarDay, CalendarGap, WorkPeriod, WorkSchedule

__all__ = [
    "ApiToken",
    "AuditEntry",
    "CalendarDay",
    "CalendarGap",
    "Department",
    "ExportJob",
    "ExportJobStatus",
    "HealthCheck",
    "ImmutableEventError",
    "ImportJob",
    "ImportJobStatus",
    "Notification",
    "OutboxMessage",
    "TimelineEvent",
    "User",
    "WorkPeriod",
    "WorkSchedule",
]
