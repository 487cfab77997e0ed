"""Why a case action was refused: the transition contract's refusals (``core.workflow``) under the case's names.
The API maps each to its HTTP status in one place (``core.api.workflow``); the console to a page or a message."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workflow import Forbidden, NotAllowed, NotVisible, WorkflowError


class CaseError(WorkflowError):
    workflow = "case"


class CaseNotFound(CaseError, NotVisible):
    """The case does not exist or the user may not see it (→ 404: we do not reveal which)."""

    public_message = _("No such case.")


class ActionForbidden(CaseError, Forbidden):
    """The user's role does not allow this action, or the case is not theirs to act on (→ 403)."""


class ActionNotAllowed(CaseError, NotAllowed):
    """The case's current status does not allow this action (→ 409)."""


class ClientUuidTaken(CaseError):
    """The report's ``client_uuid`` already made another user's case (→ 409: never that user's case)."""
