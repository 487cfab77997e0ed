"""Intake (上报): a report from the field (or another channel) becomes a case; offline sync takes up to 500 at once.

Fast by construction, because collectors report all day and sync hundreds of queued reports when signal returns:

- reference data (classes, filing conditions) and the reporter's permission come from in-process caches;
- the point's unit grid comes from the spatial layer's in-process index (outside a transaction) or one query for
  all points of a batch (inside one);
- ONE statement writes everything: it takes the day's case numbers and inserts the cases and their "report"
  events, a batch from one array per column (a batch of 500 costs one statement, like a single report);
- photos are checked before anything is written and their files removed again if the transaction fails.

A repeated ``client_uuid`` returns the case already made (``exists``), never a second one — also when two
submissions race: the unique index decides and the loser answers with the winner's case.

The package's modules, one step each:

- ``reference``: the process caches of classes, filing conditions and the reporter's permission;
- ``checks``: one report's fields checked (``Report``), its grid located and its component found, for many at once;
- ``writing``: the one INSERT statement of a report or a batch;
- ``report``: ``report_case`` — one report from the field, the API or another channel;
- ``sync``: ``report_batch`` — offline sync of up to ``MAX_BATCH`` queued reports.
"""

from cases.services.intake.checks import MAX_DESCRIPTION, REPORT_FIELDS, parse_client_uuid
from cases.services.intake.reference import clear_class_cache
from cases.services.intake.report import client_sources, report_case
from cases.services.intake.sync import MAX_BATCH, report_batch

__all__ = [
    "MAX_BATCH",
    "MAX_DESCRIPTION",
    "REPORT_FIELDS",
    "clear_class_cache",
    "client_sources",
    "parse_client_uuid",
    "report_batch",
    "report_case",
]
