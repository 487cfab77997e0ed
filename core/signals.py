"""Signals other parts of the platform listen to.

``token_issued`` and ``token_revoked`` (the security audit log listens) are sent with ``token`` (an ``ApiToken``; on
revocation already deleted, so read its fields, not its relations), ``user``, ``request`` (``None`` when no request
caused it) and ``reason``.

``partition_rows_changed`` is sent by ``core.partitions`` with ``table`` (the partitioned table) and ``connection``,
inside the transaction, when rows left or entered the table without its statement triggers seeing it as such: a
year's partition detached, the DEFAULT partition's rows moved into a new year's. What triggers keep from the table's
rows (the case tally, cases/tally.py) is counted again.
"""

from __future__ import annotations

from django.dispatch import Signal

token_issued = Signal()
token_revoked = Signal()
partition_rows_changed = Signal()
