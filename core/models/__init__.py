from .health import HealthCheck
from .organisation import Department, User
from .worktime import CalendarDay, CalendarGap, WorkPeriod, WorkSchedule

__all__ = ["CalendarDay", "CalendarGap", "Department", "HealthCheck", "User", "WorkPeriod", "WorkSchedule"]
