"""Reference data of the company's monthly assessment: the default items, created when missing so admin edits
survive (on every migrate, and after a test database is flushed, as the workflow's stage limits are)."""

from __future__ import annotations

from decimal import Decimal

# code, name, source, weight, target, lower is better — the same rows migration 0009 seeded; weights add up to 100.
DEFAULT_ITEMS = [
    ("valid_reports", "有效上报率", "valid_report_rate", 20, 95, False),
    ("missed_reports", "漏报率", "missed_report_rate", 20, 5, True),
    ("presence", "在岗率", "presence_rate", 20, 90, False),
    ("verify_timeliness", "核实及时率", "verify_timeliness", 10, 95, False),
    ("check_timeliness", "核查及时率", "check_timeliness", 10, 95, False),
    ("dress", "着装规范", "manual", 10, None, False),
    ("training", "培训考核", "manual", 10, None, False),
]


def ensure_default_items() -> int:
    """Create the default items that do not exist (by code); answers how many were created."""
    from evaluation.models import AssessmentItem

    created = 0
    for order, (code, name, source, weight, target, lower) in enumerate(DEFAULT_ITEMS, start=1):
        _item, made = AssessmentItem.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "source": source,
                "weight": Decimal(weight),
                "target": None if target is None else Decimal(target),
                "lower_is_better": lower,
                "order": order,
            },
        )
        created += made
    return created
