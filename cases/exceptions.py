"""Why a case action was refused; the API maps each to its HTTP status."""

from __future__ import annotations


class CaseError(Exception):
    pass


class CaseNotFound(CaseError):
    """The case does not exist or the user may not see it (→ 404: we do not reveal which)."""


class ActionForbidden(CaseError):
    """The user's role does not allow this action, or the case is not theirs to act on (→ 403)."""


class ActionNotAllowed(CaseError):
    """The case's current status does not allow this action (→ 409)."""

    def __init__(self, action: str, current_status: str, reason: str = "") -> None:
        self.action = action
        self.current_status = current_status
        self.reason = reason
        message = f"action {action!r} is not allowed while the case is {current_status!r}"
        super().__init__(f"{message}: {reason}" if reason else message)


class ClientUuidTaken(CaseError):
    """The report's ``client_uuid`` already made another user's case (→ 409: never that user's case)."""
