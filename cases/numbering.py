"""Human-readable case numbers: the Shanghai date and a daily sequence, e.g. 20261122-00042."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.utils import timezone


def next_case_no(at: datetime | None = None) -> str:
    """Take the next number of the day in one atomic statement (safe under concurrent intake)."""
    day = timezone.localdate(at or timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_casenumber (day, last) VALUES (%s, 1) "
            "ON CONFLICT (day) DO UPDATE SET last = cases_casenumber.last + 1 RETURNING last",
            [day],
        )
        sequence = cursor.fetchone()[0]
    return f"{day:%Y%m%d}-{sequence:05d}"
