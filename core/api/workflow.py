"""A workflow's table as API endpoints, and its refusals as HTTP answers — written once for every workflow.

``WorkflowActionsMixin`` on a viewset with ``workflow = <core.workflow.Workflow>`` adds one
``POST …/{id}/{action-name}/`` endpoint per row of the table (documented with its label, permission and source
states, and the 400/403/404/409 answers), each calling the viewset's ``perform_action(request, pk, name)``.

``refusal_response`` maps the contract's refusals (raised by any view, the workflow's or not):
``NotVisible`` → 404 ``{"detail": …}``, ``Forbidden`` → 403 ``{"detail": …}``, ``NotAllowed`` → 409
``{"detail": "<sentence naming the state's label>", "status": "<state>"}``; a Django ``ValidationError`` is a 400
naming the field (``core.api.exceptions``). The bodies are the shapes ``core.api.schema`` declares for every
operation, so the OpenAPI document stays true.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.workflow import Forbidden, NotAllowed, NotVisible, Workflow


class ConflictSerializer(serializers.Serializer):
    """The 409 answer of a workflow action."""

    detail = serializers.CharField(help_text="A sentence naming the action and the current state's label")
    status = serializers.CharField(help_text="The current state")


def refusal_response(exc: Exception) -> Response | Exception:
    """The answer to a refusal of the transition contract: a 409 ``Response``, or the DRF exception the standard
    handler turns into a 403/404. Anything else is returned unchanged."""
    if isinstance(exc, NotAllowed):
        set_rollback()
        return Response(exc.body(), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, NotVisible):
        return exceptions.NotFound(exc.detail)
    if isinstance(exc, Forbidden):
        return exceptions.PermissionDenied(exc.detail)
    return exc


def _english(value: Any) -> str:
    from django.utils import translation

    with translation.override("en"):
        return str(value)


class WorkflowActionsMixin:
    """One endpoint per action of ``workflow``. Subclasses set ``workflow`` and may override:

    - ``action_request(name)``: the request body's serializer of an action (None: no body documented);
    - ``action_responses(name)``: extra or different documented answers (200 by default: ``serializer_class``);
    - ``action_conflict``: the documented 409 (a description, or an ``OpenApiResponse``);
    - ``perform_action(request, pk, name)``: run it and answer (the refusals need no handling: see above)."""

    workflow: Workflow | None = None
    action_noun = "object"
    action_conflict: Any = None

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        flow = cls.__dict__.get("workflow")
        if flow is not None:
            for name in flow.transitions:
                setattr(cls, f"do_{name}", cls._endpoint(name))

    @classmethod
    def action_request(cls, name: str):
        return None

    @classmethod
    def action_responses(cls, name: str) -> dict:
        return {200: getattr(cls, "serializer_class", None)}

    def perform_action(self, request, pk, name: str) -> Response:
        raise NotImplementedError

    @classmethod
    def _endpoint(cls, name: str):
        rule = cls.workflow.transitions[name]
        label = _english(rule.label)

        def handler(self, request, pk=None):
            return self.perform_action(request, pk, name)

        handler.__name__ = f"do_{name}"  # "dispatch" would shadow APIView.dispatch
        sources = ", ".join(sorted(rule.sources)) or "any state"
        handler.__doc__ = f"{label} ({name}); needs {rule.permission}; from {sources}."
        handler = action(detail=True, methods=["post"], url_path=name.replace("_", "-"), url_name=name)(handler)
        conflict = cls.action_conflict or OpenApiResponse(
            ConflictSerializer, description=f"The {cls.action_noun}'s state does not allow this action"
        )
        responses = {
            403: OpenApiResponse(description="Role not allowed, or not in the action's scope"),
            404: OpenApiResponse(description=f"No such {cls.action_noun} for this user"),
            409: conflict,
            **cls.action_responses(name),
        }
        request_body = cls.action_request(name)
        return extend_schema(request=request_body, responses=responses, summary=f"{label} ({name})")(handler)
