"""Why a work-order action was refused; the API and the console map each to its HTTP status."""

from __future__ import annotations


class OrderError(Exception):
    pass


class OrderNotFound(OrderError):
    """The order does not exist or the user may not see it (→ 404)."""


class OrderForbidden(OrderError):
    """The user's role may not take this action, or the order is not with their department (→ 403)."""


class OrderActionNotAllowed(OrderError):
    """The order's status (or a time limit) does not allow the action now (→ 409)."""

    def __init__(self, action: str, current_status: str, reason: str = "") -> None:
        self.action = action
        self.current_status = current_status
        self.reason = reason
        message = f"action {action!r} is not allowed while the order is {current_status!r}"
        super().__init__(f"{message}: {reason}" if reason else message)
