"""The daily partitions of ``grids_trackpoint``.

One partition per China-time day, ``grids_trackpoint_pYYYYMMDD``, covering [00:00, 24:00) Asia/Shanghai. Beat
creates today's and the next week's every night (``ensure_ahead``); ingestion creates the partition of any day it
is about to write that is missing (a phone that was offline for two days), so no insert ever fails for want of a
partition. A day's partition can be detached (``detach_before``) and then dumped and dropped by the operator, which
is how months of tracks are archived without a slow DELETE.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection

from core.partitions import children, create_range_partition, detach

TABLE = "grids_trackpoint"
CHINA = ZoneInfo("Asia/Shanghai")
_NAME = re.compile(rf"^{TABLE}_p(\d{{8}})$")


def partition_name(day: date) -> str:
    return f"{TABLE}_p{day:%Y%m%d}"


def day_of(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


def existing() -> set[date]:
    return {datetime.strptime(m.group(1), "%Y%m%d").date() for name in children(TABLE) if (m := _NAME.match(name))}


def ensure(days: Iterable[date]) -> int:
    """Create the partitions of *days* that do not exist yet; answers how many were created. Safe to run twice
    and concurrently (IF NOT EXISTS; a lost race is answered by the other's partition)."""
    wanted = set(days)
    if not wanted:
        return 0
    present = existing()  # one catalogue query: cheap, and always true inside a transaction that may roll back
    created = 0
    with connection.cursor() as cursor:
        for day in sorted(wanted - present):
            start = datetime.combine(day, time(0), CHINA)
            create_range_partition(cursor, TABLE, partition_name(day), start, start + timedelta(days=1))
            created += 1
    return created


def ensure_ahead(today: date, days: int = 7) -> int:
    return ensure(today + timedelta(days=n) for n in range(days + 1))


def detach_before(day: date) -> list[str]:
    """Detach every partition of a day before *day*: the tables stay, outside the track table, to be archived."""
    detached = []
    with connection.cursor() as cursor:
        for old in sorted(d for d in existing() if d < day):
            detach(cursor, TABLE, partition_name(old))
            detached.append(partition_name(old))
    return detached
