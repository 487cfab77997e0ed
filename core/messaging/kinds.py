"""The kinds of event a rule can name: the ``kind`` of the in-app notifications the layers above write.

Named here by string (core imports no app above it), with a label for the admin and whether the kind is urgent:
an urgent kind goes out at once, through quiet hours. ``MESSAGING_URGENT_KINDS`` adds kinds a city treats as urgent.
A kind missing from this table still works (a rule may name it); it is shown by its code.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

URGENT_CASE = "case_urgent"  # an urgent-class case was registered (紧急案件立案): the duty group must act now
CHANNEL_TEST = "channel_test"  # an administrator's test message from the admin

KIND_LABELS = {
    URGENT_CASE: _("Urgent case registered"),
    "case_overdue": _("Case overdue"),
    "case_dispatched": _("Case dispatched to a department"),
    "case_rework": _("Case needs rework"),
    "case_urged": _("Case urged"),
    "workorder_overdue": _("Hotline order overdue"),
    "workorder_transferred": _("Hotline order transferred"),
    "workorder_redo": _("Hotline order to be redone"),
    "workorder_sent_back": _("Hotline order sent back"),
    "workorder_extension_requested": _("Hotline order extension requested"),
    "workorder_urged": _("Hotline order urged"),
    "bulletin_published": _("Monthly bulletin published"),
    CHANNEL_TEST: _("Channel test"),
}
URGENT_KINDS = frozenset({URGENT_CASE, CHANNEL_TEST})


def kind_choices() -> list[tuple[str, str]]:
    return list(KIND_LABELS.items())


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def is_urgent(kind: str) -> bool:
    return kind in URGENT_KINDS or kind in set(getattr(settings, "MESSAGING_URGENT_KINDS", ()))
