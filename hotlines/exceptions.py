"""Why a work-order action was refused: the transition contract's refusals (``core.workflow``) under the order's
names. The API maps each to its HTTP status in one place (``core.api.workflow``); the console to a page or message."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workflow import Forbidden, NotAllowed, NotVisible, WorkflowError


class OrderError(WorkflowError):
    workflow = "order"


class OrderNotFound(OrderError, NotVisible):
    """The order does not exist or the user may not see it (→ 404)."""

    public_message = _("No such work order.")


class OrderForbidden(OrderError, Forbidden):
    """The user's role may not take this action, or the order is not with their department (→ 403)."""


class OrderActionNotAllowed(OrderError, NotAllowed):
    """The order's status (or a time limit) does not allow the action now (→ 409)."""
