"""Callers' phone numbers are personal data: lists and exports show them masked (138****1234) unless the user's role
carries ``hotlines.view_caller_phone``."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    digits = (phone or "").strip()
    if not digits:
        return ""
    if len(digits) >= 11:  # mobile numbers: keep the network prefix and the last four
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 4:
        return f"{'*' * (len(digits) - 4)}{digits[-4:]}"
    return "*" * len(digits)


def may_see_phone(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm("hotlines.view_caller_phone"))


def shown_phone(phone: str, user) -> str:
    return phone if may_see_phone(user) else mask_phone(phone)
