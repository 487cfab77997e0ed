"""The annual performance self-evaluation (绩效自评, docs/domain.md §7).

- ``scoring``: the rules (≥, ≤, =, manual, inapplicable rescaling, funds, total, grade) as pure functions.
- ``services``: every change (create, save, recompute from the platform, check, adopt, export, import).
- ``figures``: sources, the pure recomputation (``compute``), the row checks (re-exported by ``services``).
- ``checks``: the consistency findings shown before export.
- ``refresh``: 从平台重新取数 by a Celery worker (the page's button, the nightly run) and the findings diff it records.
- ``layout``, ``workbook``, ``importer``: the finance bureau's form as an .xlsx, out and back in.
- ``forms``, ``views``, ``urls``: the finance page; ``demo``: the seeds and the demo city's own year.
"""
