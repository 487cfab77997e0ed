"""The transition contract every workflow of the platform follows: cases, hotline work orders, the other channels'
records, monthly bulletins and self-evaluations.

A workflow is one table of ``Transition`` rows (action → the states it may start from, the state it leads to, the
permission it needs, its lazily translated label, its scope) and one ``Workflow`` that runs them. ``Workflow.run``
is the only way a row of a workflow changes; in this order, so every caller's answers are stable:

1. visible — the object exists and the actor may see it, else ``NotVisible`` (404: we do not reveal which);
2. permission — the actor's role carries the action's permission, else ``Forbidden`` (403);
3. lock — the row is read with ``select_for_update`` inside one transaction;
4. scope — the action's scope holds (e.g. ``department``: the case is with the actor's department), else
   ``Forbidden`` (403);
5. state — the current state is one of the action's sources (re-checked under the lock: a racing action may have
   moved it), else ``NotAllowed`` (409, naming the state's label);
6. handler — the action's own rule: it changes the row and answers an ``Outcome`` (the new state, the event's data);
   bad parameters are a ``django.core.exceptions.ValidationError`` naming the field (400), nothing written;
7. event — one immutable timeline row (``core.models.TimelineEvent``);
8. side effects — outbox messages written in the same transaction (``core.outbox``), other callables run with
   ``transaction.on_commit``: a rolled-back action tells nobody.

The API maps the refusals to HTTP once (``core.api.workflow``); the console views map them to a page or a message.
Each app subclasses the refusals (``cases.exceptions.CaseNotFound`` is a ``NotVisible``…) so its callers may catch
either name. ``labels`` is the one registry of action labels the timeline partial (``core/_timeline.html``) reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ANY_STATE: frozenset[str] = frozenset()  # sources of an action that does not depend on the state
DEFAULT_CONFLICT = _("%(action)s is not allowed in the state “%(label)s”.")


# ---- The refusals ------------------------------------------------------------------------------------------------


class WorkflowError(Exception):
    """Why an action was refused. Subclasses name the workflow (``workflow``: its name in the registry)."""

    workflow: str = ""


class NotVisible(WorkflowError):
    """The object does not exist or the actor may not see it (→ 404). Raised with the id; ``detail`` is the
    subclass's ``public_message`` (or a message given instead of the id), never the id."""

    public_message: Any = None

    @property
    def detail(self) -> str:
        if self.public_message is not None:
            return str(self.public_message)
        if self.args and isinstance(self.args[0], Promise):
            return str(self.args[0])
        if self.args and isinstance(self.args[0], str) and not self.args[0].isdigit():
            return self.args[0]
        return gettext("Not found.")


class Forbidden(WorkflowError, PermissionDenied):
    """The actor's role lacks the action's permission, or the object is outside the action's scope (→ 403).
    Also a Django ``PermissionDenied``, so a console view that lets it through answers the project's 403 page."""

    @property
    def detail(self) -> str:
        return str(self.args[0]) if self.args else gettext("You do not have permission to perform this action.")


class NotAllowed(WorkflowError):
    """The object's current state (or a rule of the action: a pending request, a time limit) does not allow the
    action now (→ 409). ``detail`` is the sentence the user reads: it names the action and the state's label."""

    def __init__(self, action: str, current_status: str, reason: Any = "") -> None:
        self.action = action
        self.current_status = current_status
        self.reason = reason
        noun = self.workflow or "object"
        message = f"action {action!r} is not allowed while the {noun} is {current_status!r}"
        super().__init__(f"{message}: {reason}" if reason else message)

    @property
    def detail(self) -> str:
        flow = WORKFLOWS.get(self.workflow)
        if flow is None:
            return str(self.args[0])
        detail = str(flow.conflict_message) % {
            "action": flow.label(self.action),
            "label": flow.state_label(self.current_status),
        }
        return f"{detail} {self.reason}" if self.reason else detail

    def body(self) -> dict:
        """The API's 409 answer: the sentence, and the current state as a field an app can read."""
        return {"detail": self.detail, "status": self.current_status}


# ---- The table ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """One row of a workflow's table. ``target`` None: the handler decides (a failed check goes back to the
    department). ``sources`` empty (``ANY_STATE``): any state. ``scope``: the name of a further condition on the
    actor and the object (``Workflow.scopes``), e.g. ``department``; superusers are always in scope."""

    action: str
    sources: frozenset[str]
    target: str | None
    permission: str
    label: Any  # lazily translated: str() in the language of the request
    scope: str | None = None

    def allows(self, state: str) -> bool:
        return not self.sources or state in self.sources


def table(*rows: Transition) -> dict[str, Transition]:
    """A workflow's table keyed by action (each action once)."""
    result = {row.action: row for row in rows}
    assert len(result) == len(rows), "each action appears once in a workflow's table"
    return result


@dataclass
class Outcome:
    """What a handler decided: the new state (None: unchanged), what the event records, and the side effects."""

    to_status: str | None = None
    data: dict = field(default_factory=dict)
    opinion: str = ""
    # Outbox messages (handler's dotted path, keyword arguments), written with the event: delivered after commit.
    messages: list[tuple[str, dict]] = field(default_factory=list)
    # Callables run by transaction.on_commit (for what need not survive a crash: caches, in-process indexes).
    on_commit: list[Callable[[], Any]] = field(default_factory=list)
    record: bool = True  # False: nothing changed (an idempotent repeat), no event
    save: bool = True  # False: the handler saved the row itself


Handler = Callable[[Any, datetime], Outcome]


# ---- The runner ----------------------------------------------------------------------------------------------------


def may(actor, permission: str) -> bool:
    return actor is not None and actor.is_active and actor.has_perm(permission)


@dataclass
class Workflow:
    """A workflow: its table and how to find, lock, check and record its objects. Registered by ``name``."""

    name: str
    model: str  # "app_label.Model", resolved when first used
    transitions: dict[str, Transition]
    state_field: str = "status"  # "": the objects have no state (every action is open in ANY_STATE)
    states: type[models.TextChoices] | None = None  # labels of the states, for the 409's sentence
    conflict_message: Any = DEFAULT_CONFLICT
    not_visible: type[NotVisible] = NotVisible
    forbidden: type[Forbidden] = Forbidden
    not_allowed: type[NotAllowed] = NotAllowed
    # visible(actor) -> queryset of what the actor may see; None: the visibility check is the row's existence
    # (read under the lock), for workflows whose reading permission the views check.
    visible: Callable[[Any], models.QuerySet] | None = None
    scopes: dict[str, Callable[[Any, Any], bool]] = field(default_factory=dict)
    # record(obj, action, actor, from_status, to_status, at=, opinion=, data=) -> event row
    record: Callable[..., Any] | None = None
    forbidden_message: Any = None  # the 403 sentence; default "your role may not <action>"
    scope_message: Any = None  # the 403 sentence out of scope; default "this <name> is not yours to <action>"
    select_related: tuple[str, ...] = ()
    system_allowed: frozenset[str] = frozenset()  # actions the system (actor None: Celery beat) may take
    labels: dict[str, Any] = field(default_factory=dict)  # labels of events that are not actions (system rows)

    def __post_init__(self) -> None:
        for cls in (self.not_visible, self.forbidden, self.not_allowed):
            if cls not in (NotVisible, Forbidden, NotAllowed) and not cls.workflow:
                cls.workflow = self.name
        WORKFLOWS[self.name] = self
        register_labels(self.name, {**{t.action: t.label for t in self.transitions.values()}, **self.labels})

    # ---- lookups -------------------------------------------------------------------------------------------------

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def transition(self, action: str) -> Transition:
        """The action's row; an action the table does not know is a 400 naming ``action``."""
        from django.core.exceptions import ValidationError

        try:
            return self.transitions[action]
        except KeyError:
            raise ValidationError({"action": gettext("Unknown action %(action)s.") % {"action": action}}) from None

    def label(self, action: str) -> str:
        return label_of(self.name, action)

    def state_label(self, state: str) -> str:
        if self.states is not None and state in self.states.values:
            return str(self.states(state).label)
        return state

    def in_scope(self, obj, actor, rule: Transition) -> bool:
        if rule.scope is None or getattr(actor, "is_superuser", False):
            return True
        return self.scopes[rule.scope](obj, actor)

    def may_take(self, obj, actor, rule: Transition) -> bool:
        """Permission and scope (the state aside): may *actor* ever take *rule* on *obj*."""
        return may(actor, rule.permission) and self.in_scope(obj, actor, rule)

    def candidates(self, obj, actor) -> list[Transition]:
        """The actions the table offers *actor* on *obj* now: state, permission and scope (an action's own
        precondition — a pending request to decide — is the app's to add)."""
        state = getattr(obj, self.state_field) if self.state_field else ""
        return [t for t in self.transitions.values() if t.allows(state) and self.may_take(obj, actor, t)]

    # ---- running -------------------------------------------------------------------------------------------------

    def _refuse_permission(self, action: str):
        if self.forbidden_message is not None:
            return self.forbidden(str(self.forbidden_message))
        return self.forbidden(f"your role may not {action}")

    def _refuse_scope(self, action: str):
        if self.scope_message is not None:
            return self.forbidden(str(self.scope_message) % {"action": action})
        return self.forbidden(f"this {self.name} is not yours to {action}")

    def check_actor(self, pk, action: str, actor) -> Transition:
        """Steps 1 and 2 (visible, permission), before any lock."""
        rule = self.transition(action)
        system = actor is None and action in self.system_allowed
        if self.visible is not None and not system:
            if actor is None or not self.visible(actor).filter(pk=pk).exists():
                raise self.not_visible(pk)
        if not system and not may(actor, rule.permission):
            raise self._refuse_permission(action)
        return rule

    def lock(self, pk):
        queryset = self.model_class.objects.select_for_update()
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        try:
            return queryset.get(pk=pk)
        except (self.model_class.DoesNotExist, ValueError, TypeError):
            raise self.not_visible(pk) from None

    def run(self, pk, action: str, actor, handler: Handler, *, at: datetime | None = None, after=None):
        """Run *action* on the object *pk* as *actor* (see the module docstring); returns the changed object.
        ``at`` replays the action at a past moment (imports of history, the demo city); it defaults to now.
        ``after(obj, event, outcome)`` runs after the event is written (attachments, announcements)."""
        rule = self.check_actor(pk, action, actor)
        with transaction.atomic():
            obj = self.lock(pk)
            if actor is not None and not self.in_scope(obj, actor, rule):
                raise self._refuse_scope(action)
            from_status = getattr(obj, self.state_field, "") if self.state_field else ""
            if self.state_field and not rule.allows(from_status):
                raise self.not_allowed(action, from_status)
            now = at or timezone.now()
            outcome = handler(obj, now)
            if self.state_field and outcome.to_status is not None:
                setattr(obj, self.state_field, outcome.to_status)
            if outcome.save:
                obj.save()
            event = None
            if outcome.record:
                to_status = getattr(obj, self.state_field, "") if self.state_field else ""
                event = self.record_event(
                    obj, action, actor, from_status, to_status, at=now, opinion=outcome.opinion, data=outcome.data
                )
            if after is not None:
                after(obj, event, outcome)
            if outcome.messages:
                from core import outbox

                outbox.enqueue_many(outcome.messages)
            for callback in outcome.on_commit:
                transaction.on_commit(callback)
        return obj

    def record_event(self, obj, action: str, actor, from_status: str, to_status: str, **kwargs):
        if self.record is None:
            raise NotImplementedError(f"workflow {self.name} has no event recorder")
        return self.record(obj, action, actor, from_status, to_status, **kwargs)


# ---- Registries ----------------------------------------------------------------------------------------------------

WORKFLOWS: dict[str, Workflow] = {}
LABELS: dict[str, dict[str, Any]] = {}


def register_labels(timeline: str, labels: dict[str, Any]) -> None:
    """Add labels (action → lazily translated label) to a timeline's registry; the events of a timeline without a
    workflow (the other channels' records, say) register theirs here."""
    LABELS.setdefault(timeline, {}).update(labels)


def label_of(timeline: str, action: str) -> str:
    """The label of *action* on *timeline* in the active language (the action's name when none is registered)."""
    label = LABELS.get(timeline, {}).get(action)
    return str(label) if label is not None else action


def labels_of(timeline: str) -> dict[str, Any]:
    return dict(LABELS.get(timeline, {}))


def role_of(actor) -> str:
    """The role an event records: the actor's at the time (empty for the system)."""
    return (getattr(actor, "role", "") or "") if actor is not None else ""


def actions_of(transitions: Iterable[Transition]) -> list[dict]:
    """[{action, label}] as the API's ``available_actions`` lists them."""
    return [{"action": t.action, "label": str(t.label)} for t in transitions]
