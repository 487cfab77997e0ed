"""Vocabularies of the organisation layer, with their Chinese labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A user's single role in the command centre (docs/domain.md §1)."""

    COLLECTOR = "collector", _("Field collector")  # 监督员
    OPERATOR = "operator", _("Operator")  # 受理员
    SHIFT_LEADER = "shift_leader", _("Shift leader")  # 值班长
    DISPATCHER = "dispatcher", _("Dispatcher")  # 派遣员
    HANDLER = "handler", _("Department handler")  # 处置部门
    SUPERVISOR = "supervisor", _("Supervisor")  # 督查/领导
    FINANCE = "finance", _("Finance")  # 财务
    ADMIN = "admin", _("Administrator")  # 系统管理员
    HOTLINE_PLATFORM = "hotline_platform", _("Hotline platform (system account)")  # 12345平台接口账号


class DepartmentKind(models.TextChoices):
    PROFESSIONAL = "professional", _("Professional department")  # 专业部门
    STREET_OFFICE = "street_office", _("Street office")  # 街道办
    OUTSOURCED = "outsourced", _("Outsourced company")  # 外包公司
    OTHER = "other", _("Other")


class DayKind(models.TextChoices):
    """Why a calendar day is or is not a working day."""

    WORKDAY = "workday", _("Working day")
    WEEKEND = "weekend", _("Weekend")
    HOLIDAY = "holiday", _("Statutory holiday")  # 法定节假日
    ADJUSTED_WORKDAY = "adjusted_workday", _("Adjusted working day")  # 调休上班
    LOCAL_OVERRIDE = "local_override", _("Local override")


class TimeUnit(models.TextChoices):
    """Units a time limit is stated in (docs/domain.md §4)."""

    WORK_MINUTES = "work_minutes", _("Working minutes")
    WORK_HOURS = "work_hours", _("Working hours")  # 工作时
    WORK_DAYS = "work_days", _("Working days")  # 工作日
    NATURAL_HOURS = "natural_hours", _("Natural hours")  # 自然时 (7×24)
    NATURAL_MINUTES = "natural_minutes", _("Natural minutes")


class AuditAction(models.TextChoices):
    """What a security audit entry (安全审计日志) records. Signals of other parts (tokens, lockouts) add theirs here."""

    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOGOUT = "logout", _("Logged out")
    LOCKOUT = "lockout", _("Locked out")
    TOKEN_ISSUED = "token_issued", _("API token issued")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    ROLE_CHANGED = "role_changed", _("Role changed")
    PERMISSIONS_CHANGED = "permissions_changed", _("Permissions changed")
    ADMIN_ADD = "admin_add", _("Added in the admin")
    ADMIN_CHANGE = "admin_change", _("Changed in the admin")
    ADMIN_DELETE = "admin_delete", _("Deleted in the admin")
    SCREEN_KEY_CREATED = "screen_key_created", _("Big screen key created")
    SCREEN_KEY_REVOKED = "screen_key_revoked", _("Big screen key revoked")
