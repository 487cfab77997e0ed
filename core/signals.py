"""Signals other parts of the platform (the security audit log) listen to.

``token_issued`` and ``token_revoked`` are sent with ``token`` (an ``ApiToken``; on revocation already deleted, so
read its fields, not its relations), ``user``, ``request`` (``None`` when no request caused it) and ``reason``.
"""

from __future__ import annotations

from django.dispatch import Signal

token_issued = Signal()
token_revoked = Signal()
