"""Writing the security audit log (安全审计日志): one ``record`` function every part of the platform calls.

``record(action, request=…, obj=…, **data)`` stores who (the request's user, or ``actor``), their role and
department at the time, the source address and user agent, the object and the action's data. Called from code that
has no request (a signal receiver, a model save in a view), it takes the request the ``AuditContextMiddleware`` is
serving, so the actor of a role change made in the admin is known. Management commands pass ``actor=None`` (the
system) and name the command in the data.

Other parts connect their signals with one line, e.g.
``record_on(user_locked_out, AuditAction.LOCKOUT)``: the signal's ``request`` and ``user`` become the entry's
request and actor, every other keyword argument goes into its data.
"""

from __future__ import annotations

import contextvars
import json
import re
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from core.choices import AuditAction

_current_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)

USER_AGENT_MAX = 300
TEXT_MAX = 200
VALUE_MAX = 500  # a field value longer than this (a geometry, a long text) is cut in the before → after data


class AuditContextMiddleware:
    """Makes the request being served known to ``record`` calls that have no request of their own."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def current_request():
    return _current_request.get()


def client_address(request) -> str | None:
    """The peer address. A client-sent X-Forwarded-For is not trusted here: behind a proxy, use the deployment's
    trusted-proxy rule (the one login lockouts use) in this one place."""
    if request is None:
        return None
    from core.account import client_ip

    return client_ip(request) or None


def json_safe(value):
    """A value as the JSON column will store it (dates as ISO text, models and the rest as text, texts cleaned)."""
    return _cleaned(json.loads(json.dumps(value, cls=_Encoder)))


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text PostgreSQL can store: NUL bytes and unpaired surrogates (a hostile query string, user agent or file
    name) become U+FFFD, so recording an attempt never fails the request that made it."""
    return _UNSTORABLE.sub("\ufffd", text)


def _cleaned(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): _cleaned(v) for k, v in value.items()}
    return value


class _Encoder(DjangoJSONEncoder):
    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def record(action: str, *, request=None, actor=None, obj=None, **data):
    """Append one entry to the audit log and return it. ``actor`` defaults to the request's authenticated user."""
    from core.models import AuditEntry

    request = request if request is not None else current_request()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    if actor is not None and not getattr(actor, "pk", None):
        actor = None  # an unsaved or anonymous user cannot be referenced
    department = getattr(actor, "department", None) if actor is not None else None
    entry = AuditEntry(
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        role=getattr(actor, "role", "") or "",
        department=department.name if department is not None else "",
        address=client_address(request),
        user_agent=clean_text(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:USER_AGENT_MAX],
        action=str(action),
        data=json_safe(data),
    )
    if obj is not None:
        entry.object_type = object_type(obj)
        entry.object_id, entry.object_text = describe(obj)
    entry.save()
    return entry


# Objects carrying a credential (an API token's key, a secret) are named by type and number, never by their text:
# DRF's Token prints, and is keyed by, the token itself.
SECRET_ATTRIBUTES = ("key", "secret", "digest")


def describe(obj) -> tuple[str, str]:
    """(object id, object text) as the log keeps them."""
    pk = getattr(obj, "pk", None)
    if any(hasattr(obj, name) for name in SECRET_ATTRIBUTES):
        meta = getattr(obj, "_meta", None)
        label = str(meta.verbose_name) if meta is not None else type(obj).__name__
        owner = getattr(obj, "user", None)
        number = str(pk) if isinstance(pk, int) else ""
        text = f"{label} #{number}" if number else label
        return number, (f"{text} ({owner})" if owner is not None else text)[:TEXT_MAX]
    return (clean_text(str(pk))[:64] if pk is not None else ""), clean_text(str(obj))[:TEXT_MAX]


def object_type(obj) -> str:
    return obj._meta.label_lower if isinstance(obj, models.Model) else type(obj).__name__


def record_on(signal, action: str) -> None:
    """Connect *signal* so that each sending appends an *action* entry (see the module's docstring)."""

    def receiver(sender, request=None, user=None, **kwargs):
        kwargs.pop("signal", None)
        obj = kwargs.pop("instance", None) or kwargs.pop("token", None)
        record(action, request=request, actor=user, obj=obj, **kwargs)

    signal.connect(receiver, weak=False, dispatch_uid=f"core.audit.{action}")


# ---- Exports and imports (thin calls from the views and commands that serve them) ----------------------------------


def request_filters(request) -> dict:
    """The query string an export was filtered by, single values flattened (``page`` is no filter)."""
    if request is None:
        return {}
    params = getattr(request, "query_params", None) or request.GET
    return {
        key: values[0] if len(values) == 1 else values
        for key, values in params.lists()
        if key not in ("page", "csrfmiddlewaretoken")
    }


def record_export(request, what: str, *, rows: int | None = None, obj=None, **data):
    """An export: who, which filters, how many rows (``what`` names the export, e.g. "cases")."""
    return record(
        AuditAction.EXPORT, request=request, obj=obj, export=what, filters=request_filters(request), rows=rows, **data
    )


def import_outcome(written: bool, dry_run: bool = False) -> str:
    return "dry_run" if dry_run else "written" if written else "refused"


def record_import(
    what: str, *, file_name: str, rows: int | None, outcome: str, request=None, actor=None, obj=None, **data
):
    """An import: which file, how many rows, what came of it ("written", "dry_run", "refused", …)."""
    return record(
        AuditAction.IMPORT,
        request=request,
        actor=actor,
        obj=obj,
        **{"import": what, "file_name": str(file_name)[:255], "rows": rows, "outcome": outcome, **data},
    )


# ---- Logins and logouts (Django's auth signals) --------------------------------------------------------------------


def _logged_in(sender, request, user, **kwargs) -> None:
    record(AuditAction.LOGIN, request=request, actor=user)


def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(AuditAction.LOGOUT, request=request, actor=user)


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django masks the password in ``credentials``; only the attempted user name is kept.
    username = credentials.get("username", "")
    record(AuditAction.LOGIN_FAILED, request=request, username=str(username)[:150])


# ---- Roles and permissions ------------------------------------------------------------------------------------------


def _remember_role(sender, instance, update_fields=None, raw=False, **kwargs) -> None:
    if raw or instance.pk is None or (update_fields is not None and "role" not in update_fields):
        return
    instance._audit_previous_role = sender.objects.filter(pk=instance.pk).values_list("role", flat=True).first()


def _user_saved(sender, instance, created, raw=False, **kwargs) -> None:
    previous = instance.__dict__.pop("_audit_previous_role", None)
    if raw or created:
        return
    if previous is not None and previous != instance.role:
        record(AuditAction.ROLE_CHANGED, obj=instance, before=previous, after=instance.role)
    # Django keeps the raw password in ``_password`` from set_password() until the save is done, and clears it for a
    # mere hash upgrade at login: so this is every real password change (own page, admin, changepassword), never
    # a rehash. Neither password nor hash is written.
    if getattr(instance, "_password", None) is not None:
        record(AuditAction.PASSWORD_CHANGED, obj=instance)


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """Group permissions, user permissions and group memberships: which were added or removed, to whom."""
    relation = _relation_of(sender)
    if action in ("pre_clear", "pre_remove"):
        # Django sends remove() every pk asked for, members or not: keep those that really go.
        related = getattr(instance, relation, None) if relation and not reverse else None
        if related is None:
            instance._audit_going = ["*"] if action == "pre_clear" else _names_of(model, pk_set)
        else:
            going = related.all() if action == "pre_clear" else related.filter(pk__in=pk_set or ())
            instance._audit_going = [str(o) for o in going]
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action == "post_add":
        names = _names_of(model, pk_set)  # add() sends only the pks it actually added
    else:
        names = instance.__dict__.pop("_audit_going", [])
    if not names:
        return
    field = relation or model._meta.model_name
    if reverse:  # e.g. permission.group_set.add(group): the other side changed
        field = f"{instance._meta.model_name} via {field}"
    record(
        AuditAction.PERMISSIONS_CHANGED,
        obj=instance,
        field=field,
        added=sorted(names) if action == "post_add" else [],
        removed=sorted(names) if action != "post_add" else [],
    )


def _names_of(model, pks) -> list[str]:
    return [str(o) for o in model._default_manager.filter(pk__in=pks)] if pks else []


def _relation_of(through) -> str | None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model()
    return {
        Group.permissions.through: "permissions",
        user.user_permissions.through: "user_permissions",
        user.groups.through: "groups",
    }.get(through)


def connect_signals() -> None:
    """Called by core's AppConfig.ready."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
    from django.db.models.signals import m2m_changed, post_save, pre_save

    user = get_user_model()
    user_logged_in.connect(_logged_in, dispatch_uid="core.audit.login")
    user_logged_out.connect(_logged_out, dispatch_uid="core.audit.logout")
    user_login_failed.connect(_login_failed, dispatch_uid="core.audit.login_failed")
    pre_save.connect(_remember_role, sender=user, dispatch_uid="core.audit.role_before")
    post_save.connect(_user_saved, sender=user, dispatch_uid="core.audit.user_saved")
    for through in (Group.permissions.through, user.user_permissions.through, user.groups.through):
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"core.audit.m2m.{through._meta.label}")
    # Lockouts (django-axes) and API tokens (core.tokens) announce themselves through signals.
    from axes.signals import user_locked_out

    from core.choices import AuditAction
    from core.signals import token_issued, token_revoked

    record_on(user_locked_out, AuditAction.LOCKOUT)
    record_on(token_issued, AuditAction.TOKEN_ISSUED)
    record_on(token_revoked, AuditAction.TOKEN_REVOKED)
