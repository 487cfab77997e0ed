"""Intake's process caches: the default standard's classes and filing conditions, and "this user may report".

Collectors report all day; these copies spare every report the look-ups (reloaded after a minute, or on a miss once
a couple of seconds old; a permission is trusted for half a minute)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

REFERENCE_TTL = 60.0  # seconds a process trusts its copy of the classes and filing conditions
RELOAD_ON_MISS_AFTER = 2.0  # an unknown code reloads the copy at most this often (a class added a moment ago works)
PERMISSION_TTL = 30.0  # seconds a process trusts "this user may report" (revoking takes effect within this time)


@dataclass
class _Reference:
    # (code, kind) → minor class id: the standard numbers component and event classes separately, so one code can
    # name a component class and an event class at once.
    classes: dict[tuple[str, str], int] = field(default_factory=dict)
    conditions: dict[int, tuple[int, str]] = field(default_factory=dict)  # id → (minor class id, urgency)
    loaded_at: float = float("-inf")


_reference = _Reference()
_may_report_cache: dict[tuple, tuple[bool, float]] = {}


def _load_reference() -> _Reference:
    from grids.models import FilingCondition, MinorClass

    classes = MinorClass.objects.filter(standard__is_default=True, is_active=True).values_list("code", "pk", "kind")
    conditions = FilingCondition.objects.filter(is_active=True).values_list("pk", "minor_class_id", "urgency")
    return _Reference(
        classes={(code, kind): pk for code, pk, kind in classes},
        conditions={pk: (class_id, urgency) for pk, class_id, urgency in conditions},
        loaded_at=time.monotonic(),
    )


def _current_reference(*, missed: bool = False) -> _Reference:
    """The cached classes and conditions of the default standard (reloaded after a minute, or on a miss once the
    copy is a couple of seconds old)."""
    global _reference
    age = time.monotonic() - _reference.loaded_at
    if age > REFERENCE_TTL or (missed and age > RELOAD_ON_MISS_AFTER):
        _reference = _load_reference()
    return _reference


def class_by_code(code: str, kind: str | None, *, names_component: bool = False) -> tuple[int, str] | None:
    """(id, kind) of an active minor class of the default standard with this code, of *kind* when given. A code
    both kinds use means the component class for a report naming a component, else the event class."""
    order = (kind,) if kind else (("component", "event") if names_component else ("event", "component"))
    for missed in (False, True):  # the second copy only after a miss (a tuple of both would reload every 2 s)
        reference = _current_reference(missed=missed)
        for candidate in order:
            pk = reference.classes.get((code, candidate))
            if pk is not None:
                return pk, candidate
    return None


def active_condition(pk: int) -> tuple[int, str] | None:
    """(minor class id, urgency) of an active filing condition."""
    found = _current_reference().conditions.get(pk)
    return found if found is not None else _current_reference(missed=True).conditions.get(pk)


def clear_class_cache() -> None:
    """Forget this process's copies (classes, conditions, permissions); tests and admin edits call it."""
    global _reference
    _reference = _Reference()
    _may_report_cache.clear()


def may_report(user) -> bool:
    """``user.has_perm("cases.report_case")``, remembered for PERMISSION_TTL seconds per user and role: the two
    permission queries of ``has_perm`` would otherwise be a third of a report's cost. A change of role, activity
    or superuser flag is a new key, so it applies at once."""
    key = (user.pk, getattr(user, "role", ""), user.is_active, user.is_superuser)
    now = time.monotonic()
    hit = _may_report_cache.get(key)
    if hit is not None and now - hit[1] < PERMISSION_TTL:
        return hit[0]
    allowed = user.has_perm("cases.report_case")
    if len(_may_report_cache) > 10_000:  # bounded: a process sees a few thousand users at most
        _may_report_cache.clear()
    _may_report_cache[key] = (allowed, now)
    return allowed
