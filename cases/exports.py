"""案件导出: the cases a user may see, as filtered in the console or the API, in an Excel workbook.

One function builds it for both: ``cases_workbook(queryset)`` streams rows through the spreadsheet kit's
``StreamedSheet`` (openpyxl write-only: memory stays flat however many rows) — numbers and times as typed cells,
Chinese headers, frozen header row, filter buttons, and text never written as a formula. The caller passes a queryset
already scoped with ``Case.objects.visible_to(user)``, so an export never shows a case its reader could not open.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font, PatternFill

from cases.choices import CaseSource, CaseStatus
from core.spreadsheets import XLSX, StreamedSheet, save, streamed_workbook
from grids.choices import ClassKind

MAX_ROWS = 50_000  # a bigger export is a report for the evaluation layer, not a list
PERMISSION = "cases.view_case"
__all__ = ["MAX_ROWS", "PERMISSION", "XLSX", "cases_workbook", "export_filename", "run_job"]


def _columns():
    """(header, width, value of a case) in order; names of codes resolved once per export."""
    return [
        (_("Case number"), 16, lambda c, n: c.case_no),
        (_("Kind"), 6, lambda c, n: _label(ClassKind, c.kind)),
        (_("Class code"), 9, lambda c, n: c.minor_class.code),
        (_("Class"), 18, lambda c, n: c.minor_class.name),
        (_("Source"), 12, lambda c, n: _label(CaseSource, c.source)),
        (_("Status"), 10, lambda c, n: _label(CaseStatus, c.status)),
        (_("Street"), 12, lambda c, n: n.get(c.street_code, c.street_code)),
        (_("Community"), 12, lambda c, n: n.get(c.community_code, c.community_code)),
        (_("Unit grid code"), 17, lambda c, n: c.grid_code),
        (_("Address"), 24, lambda c, n: c.address),
        (_("Description"), 36, lambda c, n: c.description),
        (_("Received"), 17, lambda c, n: c.received_at),
        (_("Registered"), 17, lambda c, n: c.registered_at),
        (_("Dispatched"), 17, lambda c, n: c.dispatched_at),
        (_("Department"), 20, lambda c, n: c.department.name if c.department_id else ""),
        (_("Disposal deadline"), 17, lambda c, n: c.disposal_deadline),
        (_("Disposed"), 17, lambda c, n: c.disposed_at),
        (_("Closed"), 17, lambda c, n: c.closed_at),
        (_("Disposed on time"), 8, lambda c, n: _yes_no(c.disposed_on_time)),
        (_("Overdue"), 6, lambda c, n: _yes_no(c.is_overdue)),
        (_("Reworks"), 6, lambda c, n: c.rework_count),
        (_("Extensions"), 6, lambda c, n: c.extension_count),
    ]


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _yes_no(value: bool | None) -> str:
    return "" if value is None else str(_("Yes") if value else _("No"))


def _region_names() -> dict[str, str]:
    from grids.models import Region

    return dict(Region.objects.values_list("code", "name"))


def cases_workbook(queryset, *, target=None, progress=None) -> tuple[bytes | None, int]:
    """The workbook of *queryset* (at most MAX_ROWS cases, newest first) and how many rows it holds; written into
    *target* (a file) when given, reporting the rows written to *progress* (an export job's bar) as it goes."""
    columns = _columns()
    names = _region_names()
    book = streamed_workbook()
    sheet = StreamedSheet(book, _("Cases"))
    sheet.header(
        [title for title, _width, _value in columns],
        [width for _title, width, _value in columns],
        font=Font(bold=True),
        fill=PatternFill("solid", fgColor="DDEBF7"),
    )
    rows = (
        queryset.select_related("minor_class", "department")
        .order_by("-received_at", "-id")[:MAX_ROWS]
        .iterator(chunk_size=2000)
    )
    for case in rows:
        sheet.append([value(case, names) for _title, _width, value in columns])
        if progress is not None and sheet.rows % 500 == 0:
            progress(sheet.rows)
    sheet.add_filter()
    return save(book, target), sheet.rows


def job_queryset(user, filters: dict, queue_key: str | None = None):
    """The cases an export job writes: what *user* may see, filtered as the console or the API was, in the
    console's queue when one was named (only a queue the user still has)."""
    from types import SimpleNamespace

    from cases.filtersets import CaseFilterSet
    from cases.models import Case
    from core.exports import query_dict

    filterset = CaseFilterSet(
        query_dict(filters), queryset=Case.objects.visible_to(user), request=SimpleNamespace(user=user)
    )
    if not filterset.is_valid():
        raise ValueError(filterset.errors.as_text())
    queryset = filterset.qs
    if queue_key:
        from cases.views.queues import queues_for

        queue = {q.key: q for q in queues_for(user)}.get(queue_key)
        if queue is None:
            raise ValueError(f"queue {queue_key!r} is not the user's")
        queryset = queue.apply(queryset)
    return queryset


def run_job(job, target, progress) -> int:
    """The export job's writer (core.exports.RUNNERS["cases"])."""
    queryset = job_queryset(job.created_by, job.options.get("filters") or {}, job.options.get("queue"))
    progress.total(queryset.order_by()[:MAX_ROWS].count())
    _body, rows = cases_workbook(queryset, target=target, progress=progress)
    return rows


def export_filename() -> str:
    return f"cases-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
