"""工单导出: the work orders a user may see, as filtered in the console or the API, in an Excel workbook.

``orders_workbook(queryset, show_phone)`` streams rows through the spreadsheet kit's ``StreamedSheet`` (write-only,
typed cells, text never written as a formula). The caller passes a queryset already scoped with
``WorkOrder.objects.visible_to(user)``, and says whether the reader may see callers' phones (masked otherwise).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheets import StreamedSheet, save, streamed_workbook
from hotlines.masking import mask_phone

MAX_ROWS = 20_000
PERMISSION = "hotlines.view_workorder"


def _columns(show_phone: bool):
    return [
        (_("Hotline"), lambda o: o.hotline.code),
        (_("Order number"), lambda o: o.external_no),
        (_("Received at"), lambda o: o.received_at),
        (_("Caller name"), lambda o: o.caller_name),
        (_("Caller phone"), lambda o: o.caller_phone if show_phone else mask_phone(o.caller_phone)),
        (_("Type"), lambda o: o.get_order_type_display()),
        (_("Content"), lambda o: o.content),
        (_("Address"), lambda o: o.address),
        (_("Status"), lambda o: o.get_status_display()),
        (_("Department"), lambda o: o.department.name if o.department else ""),
        (_("Deadline"), lambda o: o.deadline),
        (_("Reply"), lambda o: o.reply_text),
        (_("Satisfaction"), lambda o: o.get_satisfaction_display()),
        (_("Linked case"), lambda o: o.case.case_no if o.case else ""),
    ]


def orders_workbook(queryset, *, show_phone: bool, target=None, progress=None) -> tuple[bytes | None, int]:
    """The workbook of *queryset* (at most MAX_ROWS orders, newest first) and how many rows it holds; written into
    *target* when given, reporting the rows written to *progress* as it goes."""
    columns = _columns(show_phone)
    book = streamed_workbook()
    sheet = StreamedSheet(book, _("Hotline orders"))
    sheet.header([title for title, _value in columns])
    rows = (
        queryset.select_related("hotline", "department", "case")
        .order_by("-received_at", "-id")[:MAX_ROWS]
        .iterator(chunk_size=2000)
    )
    for order in rows:
        sheet.append([value(order) for _title, value in columns])
        if progress is not None and sheet.rows % 500 == 0:
            progress(sheet.rows)
    sheet.add_filter()
    return save(book, target), sheet.rows


def job_queryset(user, filters: dict):
    """The orders an export job writes: what *user* may see, filtered as the console or the API was."""
    from core.exports import query_dict
    from hotlines.filtersets import WorkOrderFilterSet
    from hotlines.models import WorkOrder

    filterset = WorkOrderFilterSet(query_dict(filters), queryset=WorkOrder.objects.visible_to(user).for_list())
    if not filterset.is_valid():
        raise ValueError(filterset.errors.as_text())
    return filterset.qs


def run_job(job, target, progress) -> int:
    """The export job's writer (core.exports.RUNNERS["hotline_orders"]); phones masked unless the requester may see
    them now."""
    from hotlines.masking import may_see_phone

    queryset = job_queryset(job.created_by, job.options.get("filters") or {})
    progress.total(queryset.order_by()[:MAX_ROWS].count())
    _body, rows = orders_workbook(queryset, show_phone=may_see_phone(job.created_by), target=target, progress=progress)
    return rows


def export_filename() -> str:
    return f"hotline-orders-{timezone.localdate():%Y%m%d}.xlsx"
